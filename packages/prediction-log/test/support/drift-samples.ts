import { readFileSync } from 'node:fs';
import { type ModelManifest, parseManifest, type ReferenceDistribution } from '@glyco/contract';
import { seededRandom } from '@glyco/trainer/random';
import type { LoggedValue } from '../../src/index.ts';

/** A bundled model's manifest (default: the first Pima model): real reference distributions, ties and all. */
export function bundledManifest(model = 'pima-diabetes/1.0.0'): ModelManifest {
  const path = new URL(`../../../../models/${model}/manifest.json`, import.meta.url);
  return parseManifest(JSON.parse(readFileSync(path, 'utf8')));
}

/** One value drawn from a reference: numbers through its percentiles (inverse CDF), categories by their shares. */
function draw(reference: ReferenceDistribution, random: () => number): number | string {
  const position = random();
  if ('categories' in reference) {
    let cumulative = 0;
    for (const [k, share] of reference.proportions.entries()) {
      cumulative += share;
      if (position < cumulative) return reference.categories[k]!;
    }
    return reference.categories.at(-1)!;
  }
  const percentile = position * 100;
  const below = Math.floor(percentile);
  const low = reference.quantiles[below]!;
  const high = reference.quantiles[Math.min(below + 1, 100)]!;
  return low + (high - low) * (percentile - below);
}

/**
 * Logged input rows drawn from the training reference itself (missing at the training rate), with `shift`
 * added to the named numeric features and, for categorical ones, every value replaced by the category `replace`
 * names with the share of rows it gives.
 */
export function sampleRows(
  manifest: ModelManifest,
  count: number,
  seed: number,
  shift: Record<string, number> = {},
  replace: Record<string, { category: string; share: number }> = {},
): Record<string, LoggedValue>[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const row: Record<string, LoggedValue> = {};
    for (const reference of manifest.reference) {
      const { feature } = reference;
      if (random() < reference.missingRate) {
        row[feature] = null;
        continue;
      }
      const value = draw(reference, random);
      const replacement = replace[feature];
      row[feature] =
        typeof value === 'number'
          ? value + (shift[feature] ?? 0)
          : replacement && random() < replacement.share
            ? replacement.category
            : value;
    }
    return row;
  });
}
