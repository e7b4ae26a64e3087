import type {
  NumericFeatureSpec as FeatureSpec,
  BinaryNumericManifest as ModelManifest,
  NumericReferenceDistribution as ReferenceDistribution,
} from '@glyco/contract';
import { ksPValue, ksStatistic } from './kolmogorov-smirnov.ts';
import { type LivePerformance, livePerformance, type Outcome } from './live-performance.ts';
import { binProportions, populationStabilityIndex } from './psi.ts';

/** PSI above this is a significant shift: the feature is flagged. */
export const PSI_DRIFT_THRESHOLD = 0.2;
/**
 * Fewer live values than this are not judged: the PSI of a small sample from the very reference distribution
 * is about (bins − 1) / n, so a few dozen rows would cross the threshold by chance alone.
 */
export const MIN_DRIFT_SAMPLE = 200;

export type FeatureDriftStatus = 'ok' | 'drift' | 'insufficient-data' | 'no-reference';

export interface FeatureDrift {
  feature: string;
  status: FeatureDriftStatus;
  /** Logged values present (not missing) in the sample. */
  count: number;
  missing_rate: number | null;
  reference_missing_rate: number | null;
  psi: number | null;
  ks: number | null;
  ks_p_value: number | null;
  /** The reference's bins, with the training and the live share in each. */
  bins: { edges: number[]; reference: number[]; live: number[] } | null;
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
  /** Null when no outcome was reported in the window. */
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
  outcomes: readonly Outcome[];
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
    performance: livePerformance(input.outcomes, manifest.metrics.heldOut.rocAuc),
  };
}

function featureDrift(
  spec: FeatureSpec,
  reference: ReferenceDistribution | undefined,
  rows: readonly Record<string, unknown>[],
  minSample: number,
): FeatureDrift {
  const values = presentValues(spec, rows);
  const missingRate = rows.length === 0 ? null : 1 - values.length / rows.length;
  const empty = {
    count: values.length,
    missing_rate: missingRate,
    psi: null,
    ks: null,
    ks_p_value: null,
    bins: null,
  };
  if (!reference || reference.count === 0 || reference.proportions.length !== reference.edges.length - 1) {
    return { feature: spec.name, status: 'no-reference', reference_missing_rate: null, ...empty };
  }
  if (values.length === 0) {
    return {
      feature: spec.name,
      status: 'insufficient-data',
      reference_missing_rate: reference.missingRate,
      ...empty,
    };
  }
  const live = binProportions(reference.edges, values);
  const psi = populationStabilityIndex(reference.proportions, live);
  const ks = ksStatistic(
    values.sort((a, b) => a - b),
    reference.quantiles,
  );
  const status = values.length < minSample ? 'insufficient-data' : psi > PSI_DRIFT_THRESHOLD ? 'drift' : 'ok';
  return {
    feature: spec.name,
    status,
    count: values.length,
    missing_rate: missingRate,
    reference_missing_rate: reference.missingRate,
    psi,
    ks,
    ks_p_value: ksPValue(ks, values.length, reference.count),
    bins: { edges: reference.edges, reference: reference.proportions, live },
  };
}

/** The feature's logged values that are measurements: not null, and not a zero that means "not measured". */
function presentValues(spec: FeatureSpec, rows: readonly Record<string, unknown>[]): number[] {
  const values: number[] = [];
  for (const row of rows) {
    const value = row[spec.name];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    if (value === 0 && spec.zeroMeansMissing) continue;
    values.push(value);
  }
  return values;
}
