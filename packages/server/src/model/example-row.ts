import {
  type CategoricalFeatureSpec,
  isCategorical,
  type ModelManifest,
  type NumericFeatureSpec,
  type ReferenceDistribution,
} from '@glyco/contract';

/** A feature's value in an example row: a number, or a category's text. */
export type ExampleValue = number | string;

function typicalNumber(feature: NumericFeatureSpec, reference: ReferenceDistribution | undefined): number {
  const median = reference && 'quantiles' in reference ? reference.quantiles[50] : undefined;
  const value = Math.min(feature.max, Math.max(feature.min, median ?? (feature.min + feature.max) / 2));
  return feature.dtype === 'integer' ? Math.round(value) : Math.round(value * 1000) / 1000;
}

/** The most frequent category in the training data (the first one, without a reference). */
function typicalCategory(
  feature: CategoricalFeatureSpec,
  reference: ReferenceDistribution | undefined,
): string {
  if (!reference || !('categories' in reference)) return feature.categories[0]!;
  let best = 0;
  reference.proportions.forEach((share, i) => {
    if (share > reference.proportions[best]!) best = i;
  });
  const category = reference.categories[best];
  return category !== undefined && feature.categories.includes(category) ? category : feature.categories[0]!;
}

/**
 * A realistic, valid row: each numeric feature's training median (from the manifest's reference distributions),
 * or the middle of its valid range; each categorical feature's most frequent category. Used for the API docs'
 * examples, the model warm-up, the form's typical values and the benchmark.
 */
export function exampleRow(manifest: ModelManifest): Record<string, ExampleValue> {
  const row: Record<string, ExampleValue> = {};
  for (const feature of manifest.features) {
    const reference = manifest.reference.find((candidate) => candidate.feature === feature.name);
    row[feature.name] = isCategorical(feature)
      ? typicalCategory(feature, reference)
      : typicalNumber(feature, reference);
  }
  return row;
}
