import type { BinaryNumericManifest as ModelManifest } from '@glyco/contract';

/**
 * A realistic, valid row: each feature's training median (from the manifest's reference distributions), or the
 * middle of its valid range. Used for the API docs' examples, the model warm-up and the benchmark.
 */
export function exampleRow(manifest: ModelManifest): Record<string, number> {
  const row: Record<string, number> = {};
  for (const feature of manifest.features) {
    const median = manifest.reference.find((reference) => reference.feature === feature.name)?.quantiles[50];
    const value = Math.min(feature.max, Math.max(feature.min, median ?? (feature.min + feature.max) / 2));
    row[feature.name] = feature.dtype === 'integer' ? Math.round(value) : Math.round(value * 1000) / 1000;
  }
  return row;
}
