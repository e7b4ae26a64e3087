import type {
  CategoricalFeatureSpec,
  CategoricalReferenceDistribution,
  NumericFeatureSpec,
  NumericReferenceDistribution,
  ReferenceDistribution,
} from '@glyco/contract';
import type { FeatureData } from './preprocessing.ts';

/** Deciles make the bins: each holds about a tenth of the training values (fewer bins when values repeat). */
const BINS = 10;

/**
 * Per-feature reference distributions of the training data, what drift is measured against. Numeric features:
 * histogram bin edges and proportions, the 101 percentiles, and the missing rate (after zeros that mean "not
 * measured"). Categorical features: the proportion of each category and the missing rate.
 */
export function referenceDistributions(data: FeatureData): ReferenceDistribution[] {
  return data.features.map((feature, index) => {
    const column = data.columns[index]!;
    return feature.dtype === 'category'
      ? categoricalReference(feature, column as Int32Array)
      : numericReference(feature, column as Float64Array);
  });
}

function categoricalReference(
  feature: CategoricalFeatureSpec,
  column: Int32Array,
): CategoricalReferenceDistribution {
  const counts = new Array<number>(feature.categories.length).fill(0);
  let count = 0;
  for (const code of column) {
    if (code < 0) continue;
    counts[code]!++;
    count++;
  }
  return {
    feature: feature.name,
    categories: feature.categories,
    proportions: counts.map((n) => (count ? n / count : 0)),
    missingRate: (column.length - count) / column.length,
    count,
  };
}

function numericReference(feature: NumericFeatureSpec, column: Float64Array): NumericReferenceDistribution {
  const values = column.filter((value) => !Number.isNaN(value)).sort();
  const missingRate = 1 - values.length / column.length;
  if (values.length === 0) {
    return {
      feature: feature.name,
      edges: [feature.min, feature.max],
      proportions: [0],
      quantiles: new Array(101).fill(0),
      missingRate,
      count: 0,
    };
  }
  const quantiles = Array.from({ length: 101 }, (_, p) => quantile(values, p, 100));
  const edges = [...new Set(Array.from({ length: BINS + 1 }, (_, b) => quantile(values, b, BINS)))];
  if (edges.length === 1) edges.push(edges[0]!);
  return {
    feature: feature.name,
    edges,
    proportions: binProportions(values, edges),
    quantiles,
    missingRate,
    count: values.length,
  };
}

/**
 * The quantile at `part / whole` by linear interpolation between order statistics (type 7, numpy's default).
 * Taking the fraction as two integers keeps positions such as the 7th percentile exact.
 */
export function quantile(sorted: ArrayLike<number>, part: number, whole: number): number {
  const position = ((sorted.length - 1) * part) / whole;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

/** Bins [e0,e1), …, [e(n-1), en], values outside folded into the outer bins. */
export function binProportions(values: ArrayLike<number>, edges: readonly number[]): number[] {
  const bins = Math.max(edges.length - 1, 1);
  const counts = new Array<number>(bins).fill(0);
  for (let index = 0; index < values.length; index++) {
    const value = values[index]!;
    let bin = 0;
    while (bin < bins - 1 && value >= edges[bin + 1]!) bin++;
    counts[bin]!++;
  }
  return counts.map((count) => count / values.length);
}
