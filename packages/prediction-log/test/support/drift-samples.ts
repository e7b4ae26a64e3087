import { readFileSync } from 'node:fs';
import {
  type BinaryNumericManifest as ModelManifest,
  parseManifest,
  requireBinaryNumeric as servedManifest,
} from '@glyco/contract';
import { seededRandom } from '@glyco/trainer/random';

/** The bundled default model's manifest: real reference distributions, ties and all. */
export function bundledManifest(): ModelManifest {
  const path = new URL('../../../../models/pima-diabetes/1.0.0/manifest.json', import.meta.url);
  return servedManifest(parseManifest(JSON.parse(readFileSync(path, 'utf8'))));
}

/**
 * Logged input rows drawn from the training reference itself (inverse CDF through the percentiles, missing
 * at the training rate), with `shift` added to the named features.
 */
export function sampleRows(
  manifest: ModelManifest,
  count: number,
  seed: number,
  shift: Record<string, number> = {},
): Record<string, number | null>[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const row: Record<string, number | null> = {};
    for (const reference of manifest.reference) {
      if (random() < reference.missingRate) {
        row[reference.feature] = null;
        continue;
      }
      const position = random() * 100;
      const below = Math.floor(position);
      const low = reference.quantiles[below]!;
      const high = reference.quantiles[Math.min(below + 1, 100)]!;
      row[reference.feature] = low + (high - low) * (position - below) + (shift[reference.feature] ?? 0);
    }
    return row;
  });
}
