import type { FeatureSpec } from '@glyco/contract';

/**
 * What happens to the raw features before a model sees them, fitted on training rows only (inside each CV
 * fold, too) and reproduced op for op in the ONNX graph: missing values are filled with the training median,
 * strongly right-skewed non-negative features become log(1 + x), and features missing often enough get a
 * 0/1 "was missing" column appended (in Pima, a missing insulin or skin-fold reading carries signal).
 */
export type Preprocessing = {
  fillValues: number[];
  logTransform: boolean[];
  /** Raw feature indices, ascending, whose missingness becomes an extra column. */
  missingIndicators: number[];
};

export const PREPROCESSING_RULES = {
  /** Sample skewness above which a non-negative feature is log-transformed. */
  logSkewness: 1,
  /** Share of missing training values at which a feature gets a missing-indicator column. */
  indicatorMissingRate: 0.05,
};

export function fitPreprocessing(rows: readonly number[][], featureCount: number): Preprocessing {
  const fillValues: number[] = [];
  const logTransform: boolean[] = [];
  const missingIndicators: number[] = [];
  for (let column = 0; column < featureCount; column++) {
    const present = rows.map((row) => row[column]!).filter((value) => !Number.isNaN(value));
    const sorted = [...present].sort((a, b) => a - b);
    fillValues.push(sorted.length ? median(sorted) : 0);
    logTransform.push(
      sorted.length > 2 && sorted[0]! >= 0 && skewness(present) > PREPROCESSING_RULES.logSkewness,
    );
    if (1 - present.length / rows.length >= PREPROCESSING_RULES.indicatorMissingRate)
      missingIndicators.push(column);
  }
  return { fillValues, logTransform, missingIndicators };
}

/** Names of the model's input columns after preprocessing, for reports. */
export function designColumnNames(prep: Preprocessing, features: readonly FeatureSpec[]): string[] {
  return [
    ...features.map((feature, column) =>
      prep.logTransform[column] ? `log1p(${feature.name})` : feature.name,
    ),
    ...prep.missingIndicators.map((column) => `${features[column]!.name} missing`),
  ];
}

export function transformRow(row: readonly number[], prep: Preprocessing): number[] {
  const filled = row.map((value, column) => {
    const present = Number.isNaN(value) ? prep.fillValues[column]! : value;
    return prep.logTransform[column] ? Math.log(present + 1) : present;
  });
  return [...filled, ...prep.missingIndicators.map((column) => (Number.isNaN(row[column]!) ? 1 : 0))];
}

export function transformRows(rows: readonly number[][], prep: Preprocessing): number[][] {
  return rows.map((row) => transformRow(row, prep));
}

function median(sorted: readonly number[]): number {
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function skewness(values: readonly number[]): number {
  const n = values.length;
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
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
