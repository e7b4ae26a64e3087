import type { FeatureSpec } from '@glyco/contract';
import type { FeatureColumn } from './dataset.ts';
import { distinctValues, medianOf } from './distinct-values.ts';

/** Distinct values up to which a column's median comes from a tally rather than a sort. */
const DISTINCT_TALLY_LIMIT = 1024;

/**
 * What happens to the raw features before a model sees them, fitted on training rows only (inside each CV
 * fold, too) and reproduced op for op in the ONNX graph. Numeric features: missing values are filled with the
 * training median, strongly right-skewed non-negative features become log(1 + x), and features missing often
 * enough get a 0/1 "was missing" column (in Pima, a missing insulin or skin-fold reading carries signal).
 * Categorical features: one 0/1 column per category (one-hot; missing and unknown categories give all zeros),
 * and a "was missing" column when missing often enough.
 *
 * Design matrix columns, in order: the numeric features, their missing indicators, then per categorical feature
 * its one-hot columns and its missing indicator. A model on numeric features only is exactly what it always was.
 */
export type Preprocessing = {
  /** Per numeric feature, in the order of the ONNX `features` input. */
  fillValues: number[];
  logTransform: boolean[];
  /** Positions among the numeric features, ascending, whose missingness becomes an extra column. */
  missingIndicators: number[];
  /** Per categorical feature, in the order of the ONNX `categories` input. */
  categorical: { categories: number; missingIndicator: boolean }[];
};

/** The preprocessed rows a model head sees: one Float64Array per design column. */
export type Design = { rows: number; columns: Float64Array[] };

export const PREPROCESSING_RULES = {
  /** Sample skewness above which a non-negative feature is log-transformed. */
  logSkewness: 1,
  /** Share of missing training values at which a feature gets a missing-indicator column. */
  indicatorMissingRate: 0.05,
};

/** The data a model is trained on: features and their columns, over every row of the data set. */
export type FeatureData = { features: readonly FeatureSpec[]; columns: readonly FeatureColumn[] };

/** Row indices, ascending. */
export type Rows = Int32Array;

export function allRows(count: number): Rows {
  return Int32Array.from({ length: count }, (_, row) => row);
}

export function fitPreprocessing(data: FeatureData, rows: Rows): Preprocessing {
  const prep: Preprocessing = { fillValues: [], logTransform: [], missingIndicators: [], categorical: [] };
  data.features.forEach((feature, index) => {
    const column = data.columns[index]!;
    if (feature.dtype === 'category') {
      let missing = 0;
      for (const row of rows) if (column[row]! < 0) missing++;
      prep.categorical.push({
        categories: feature.categories.length,
        missingIndicator: indicated(rows.length - missing, rows.length),
      });
      return;
    }
    const buffer = new Float64Array(rows.length);
    let count = 0;
    for (const row of rows) {
      const value = column[row]!;
      if (!Number.isNaN(value)) buffer[count++] = value;
    }
    const present = buffer.subarray(0, count);
    const tally = distinctValues(present, DISTINCT_TALLY_LIMIT);
    prep.fillValues.push(count ? medianOf(tally, count) : 0);
    prep.logTransform.push(
      count > 2 && tally.distinct[0]! >= 0 && skewness(present) > PREPROCESSING_RULES.logSkewness,
    );
    if (indicated(present.length, rows.length)) prep.missingIndicators.push(prep.fillValues.length - 1);
  });
  return prep;
}

function indicated(present: number, rows: number): boolean {
  return 1 - present / rows >= PREPROCESSING_RULES.indicatorMissingRate;
}

/** The design matrix of `rows`, computed as the ONNX graph computes it. */
export function transform(data: FeatureData, prep: Preprocessing, rows: Rows): Design {
  const numeric: FeatureColumn[] = [];
  const categorical: FeatureColumn[] = [];
  data.features.forEach((feature, index) => {
    (feature.dtype === 'category' ? categorical : numeric).push(data.columns[index]!);
  });
  const n = rows.length;
  const columns: Float64Array[] = numeric.map((column, position) => {
    const fill = prep.fillValues[position]!;
    const log = prep.logTransform[position]!;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const value = column[rows[i]!]!;
      const present = Number.isNaN(value) ? fill : value;
      out[i] = log ? Math.log(present + 1) : present;
    }
    return out;
  });
  for (const position of prep.missingIndicators) {
    const column = numeric[position]!;
    columns.push(Float64Array.from(rows, (row) => (Number.isNaN(column[row]!) ? 1 : 0)));
  }
  categorical.forEach((column, position) => {
    const { categories, missingIndicator } = prep.categorical[position]!;
    for (let category = 0; category < categories; category++) {
      columns.push(Float64Array.from(rows, (row) => (column[row] === category ? 1 : 0)));
    }
    if (missingIndicator) columns.push(Float64Array.from(rows, (row) => (column[row]! < 0 ? 1 : 0)));
  });
  return { rows: n, columns };
}

/** Names of the model's input columns after preprocessing, for reports. */
export function designColumnNames(prep: Preprocessing, features: readonly FeatureSpec[]): string[] {
  const numeric = features.filter((feature) => feature.dtype !== 'category');
  const names = numeric.map((feature, position) =>
    prep.logTransform[position] ? `log1p(${feature.name})` : feature.name,
  );
  names.push(...prep.missingIndicators.map((position) => `${numeric[position]!.name} missing`));
  features
    .filter((feature) => feature.dtype === 'category')
    .forEach((feature, position) => {
      names.push(...feature.categories.map((category) => `${feature.name} = ${category}`));
      if (prep.categorical[position]!.missingIndicator) names.push(`${feature.name} missing`);
    });
  return names;
}

function skewness(values: Float64Array): number {
  const n = values.length;
  let sum = 0;
  for (const value of values) sum += value;
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  for (const value of values) {
    const d = value - mean;
    m2 += d * d;
    m3 += d * d * d;
  }
  m2 /= n;
  m3 /= n;
  return m2 === 0 ? 0 : m3 / m2 ** 1.5;
}
