import type {
  CategoricalFeatureSpec,
  CategoricalReferenceDistribution,
  FeatureSpec,
  ModelManifest,
  NumericFeatureSpec,
  NumericReferenceDistribution,
  ReferenceDistribution,
} from '@glyco/contract';
import type { LabelledPrediction } from '../reader.ts';
import { chiSquarePValue, chiSquareStatistic } from './chi-square.ts';
import { ksPValue, ksStatistic } from './kolmogorov-smirnov.ts';
import {
  type LivePerformance,
  livePerformance,
  multiclassLivePerformance,
  regressionLivePerformance,
} from './live-performance.ts';
import { binProportions, populationStabilityIndex } from './psi.ts';

/** PSI above this is a significant shift: the feature is flagged. */
export const PSI_DRIFT_THRESHOLD = 0.2;
/**
 * Fewer live values than this are not judged: the PSI of a small sample from the very reference distribution
 * is about (bins − 1) / n, so a few dozen rows would cross the threshold by chance alone.
 */
export const MIN_DRIFT_SAMPLE = 200;

export type FeatureDriftStatus = 'ok' | 'drift' | 'insufficient-data' | 'no-reference';

/**
 * One feature's drift. Numbers: PSI over the reference's bins and the Kolmogorov–Smirnov test against its
 * percentiles; categories: PSI over the category proportions and Pearson's chi-square test against them.
 */
export interface FeatureDrift {
  feature: string;
  kind: 'numeric' | 'categorical';
  status: FeatureDriftStatus;
  /** Logged values present (not missing) in the sample. */
  count: number;
  missing_rate: number | null;
  reference_missing_rate: number | null;
  psi: number | null;
  /** Numeric features: the KS statistic and its p-value. */
  ks: number | null;
  ks_p_value: number | null;
  /** Categorical features: the chi-square statistic and its p-value. */
  chi_square: number | null;
  chi_square_p_value: number | null;
  /** Numeric features: the reference's bins, with the training and the live share in each. */
  bins: { edges: number[]; reference: number[]; live: number[] } | null;
  /** Categorical features: the categories, with the training and the live share of each. */
  categories: { names: string[]; reference: number[]; live: number[] } | null;
}

/** The drift report of one model version over a window of logged predictions (JSON as served and printed). */
export interface DriftReport {
  model: { name: string; version: string };
  window: { since: string | null; until: string | null };
  /** Rows analysed (the most recent, up to the limit) out of the rows the window holds. */
  rows: { analysed: number; total: number };
  psi_threshold: number;
  min_sample: number;
  features: FeatureDrift[];
  /** Names of the features whose PSI is above the threshold. */
  drifted: string[];
  /** The task's live metrics on the reported outcomes; null when none was reported in the window. */
  performance: LivePerformance | null;
}

export interface DriftInputs {
  manifest: ModelManifest;
  since: Date | undefined;
  until: Date | undefined;
  /** Logged input rows (feature name → value), the most recent first. */
  inputs: readonly Record<string, unknown>[];
  /** Rows in the window, of which `inputs` may be the most recent part. */
  total: number;
  /** Logged predictions of the window with their reported outcomes. */
  outcomes: readonly LabelledPrediction[];
  minSample?: number;
}

export function driftReport(input: DriftInputs): DriftReport {
  const { manifest } = input;
  const minSample = input.minSample ?? MIN_DRIFT_SAMPLE;
  const references = new Map(manifest.reference.map((reference) => [reference.feature, reference]));
  const features = manifest.features.map((spec) =>
    featureDrift(spec, references.get(spec.name), input.inputs, minSample),
  );
  return {
    model: { name: manifest.name, version: manifest.version },
    window: { since: input.since?.toISOString() ?? null, until: input.until?.toISOString() ?? null },
    rows: { analysed: input.inputs.length, total: input.total },
    psi_threshold: PSI_DRIFT_THRESHOLD,
    min_sample: minSample,
    features,
    drifted: features.filter((feature) => feature.status === 'drift').map((feature) => feature.feature),
    performance: performanceOf(manifest, input.outcomes),
  };
}

/** The task's live metrics over the outcomes reported for its kind of answer. */
function performanceOf(
  manifest: ModelManifest,
  labelled: readonly LabelledPrediction[],
): LivePerformance | null {
  if (manifest.task === 'regression') {
    const outcomes = labelled.flatMap(({ value, observedValue }) =>
      value === null || observedValue === null ? [] : [{ value, observedValue }],
    );
    return regressionLivePerformance(outcomes, manifest.metrics.heldOut);
  }
  const classes = labelled.flatMap(({ prediction, probability, outcome }) =>
    prediction === null || outcome === null ? [] : [{ prediction, probability: probability ?? 0, outcome }],
  );
  if (manifest.task === 'multiclass') {
    return multiclassLivePerformance(classes, manifest.target.classLabels, manifest.metrics.heldOut);
  }
  const binary = classes.map((row) => ({ ...row, outcome: row.outcome === 1 ? (1 as const) : (0 as const) }));
  return livePerformance(binary, manifest.metrics.heldOut.rocAuc);
}

/** A test's figures: the PSI, and the statistic and shares of the feature's kind. */
type Figures = Partial<Omit<FeatureDrift, 'feature' | 'kind' | 'status' | 'count'>> & { psi: number };

function featureDrift(
  spec: FeatureSpec,
  reference: ReferenceDistribution | undefined,
  rows: readonly Record<string, unknown>[],
  minSample: number,
): FeatureDrift {
  const categorical = spec.dtype === 'category';
  const values = categorical ? presentCategories(spec, rows) : presentValues(spec, rows);
  const usable = categorical ? usableCategoricalReference(reference) : usableNumericReference(reference);
  const entry = (status: FeatureDriftStatus, figures?: Figures): FeatureDrift => ({
    feature: spec.name,
    kind: categorical ? 'categorical' : 'numeric',
    status,
    count: values.length,
    missing_rate: rows.length === 0 ? null : 1 - values.length / rows.length,
    reference_missing_rate: usable?.missingRate ?? null,
    psi: null,
    ks: null,
    ks_p_value: null,
    chi_square: null,
    chi_square_p_value: null,
    bins: null,
    categories: null,
    ...figures,
  });
  if (!usable) return entry('no-reference');
  if (values.length === 0) return entry('insufficient-data');
  const figures =
    'categories' in usable
      ? categoricalFigures(usable, values as string[])
      : numericFigures(usable, values as number[]);
  if (values.length < minSample) return entry('insufficient-data', figures);
  return entry(figures.psi > PSI_DRIFT_THRESHOLD ? 'drift' : 'ok', figures);
}

function usableNumericReference(
  reference: ReferenceDistribution | undefined,
): NumericReferenceDistribution | undefined {
  if (!reference || !('edges' in reference) || reference.count === 0) return undefined;
  return reference.proportions.length === reference.edges.length - 1 ? reference : undefined;
}

function usableCategoricalReference(
  reference: ReferenceDistribution | undefined,
): CategoricalReferenceDistribution | undefined {
  if (!reference || !('categories' in reference) || reference.count === 0) return undefined;
  return reference.proportions.length === reference.categories.length ? reference : undefined;
}

function numericFigures(reference: NumericReferenceDistribution, values: number[]): Figures {
  const live = binProportions(reference.edges, values);
  const ks = ksStatistic(
    values.sort((a, b) => a - b),
    reference.quantiles,
  );
  return {
    psi: populationStabilityIndex(reference.proportions, live),
    ks,
    ks_p_value: ksPValue(ks, values.length, reference.count),
    bins: { edges: reference.edges, reference: reference.proportions, live },
  };
}

function categoricalFigures(reference: CategoricalReferenceDistribution, values: string[]): Figures {
  const index = new Map(reference.categories.map((category, k) => [category, k]));
  const counts = new Array<number>(reference.categories.length).fill(0);
  // Categories the reference lacks cannot be logged (the API refuses them); they would only be skipped here.
  for (const value of values) {
    const k = index.get(value);
    if (k !== undefined) counts[k]!++;
  }
  const n = counts.reduce((sum, count) => sum + count, 0);
  const live = counts.map((count) => (n === 0 ? 0 : count / n));
  const { statistic, degreesOfFreedom } = chiSquareStatistic(reference.proportions, counts);
  return {
    psi: populationStabilityIndex(reference.proportions, live),
    chi_square: statistic,
    chi_square_p_value: chiSquarePValue(statistic, degreesOfFreedom),
    categories: { names: reference.categories, reference: reference.proportions, live },
  };
}

/** The feature's logged values that are measurements: not null, and not a zero that means "not measured". */
function presentValues(spec: NumericFeatureSpec, rows: readonly Record<string, unknown>[]): number[] {
  const values: number[] = [];
  for (const row of rows) {
    const value = row[spec.name];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    if (value === 0 && spec.zeroMeansMissing) continue;
    values.push(value);
  }
  return values;
}

/** The feature's logged categories (null and empty mean missing). */
function presentCategories(spec: CategoricalFeatureSpec, rows: readonly Record<string, unknown>[]): string[] {
  const values: string[] = [];
  for (const row of rows) {
    const value = row[spec.name];
    if (typeof value === 'string' && value !== '') values.push(value);
  }
  return values;
}
