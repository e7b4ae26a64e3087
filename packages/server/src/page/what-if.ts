import type {
  NumericFeatureSpec as FeatureSpec,
  BinaryNumericManifest as ModelManifest,
  RiskLevel,
} from '@glyco/contract';
import { fieldError, Problem } from '../http/problem.ts';
import type { RowEncoder } from '../model/row-encoder.ts';
import type { RowPrediction } from '../prediction/row-prediction.ts';
import type { ModelSchemas } from '../validation/model-schemas.ts';
import type { ModelRows } from '../validation/parsed-rows.ts';
import { parsePredictBody } from '../validation/predict-body.ts';

/** Evenly spaced values per feature across its valid range; the row's own value is added to them. */
const SWEEP_POINTS = 25;

/** How the probability moves when one feature sweeps its valid range and every other value stays as sent. */
export interface FeatureWhatIf {
  feature: string;
  unit: string | null;
  min: number;
  max: number;
  /** The row's own value; null when it is missing (the model imputes it). */
  value: number | null;
  /** The middle 90% of the training values (5th to 95th percentile), when the manifest has a reference. */
  typical_range: [number, number] | null;
  points: { value: number; probability: number }[];
  /** Highest minus lowest probability across the sweep. */
  effect: number;
}

export interface WhatIfResult {
  model: { name: string; version: string };
  /** The row's own probability and risk level. */
  probability: number;
  risk_level: RiskLevel;
  /** Largest effect first. */
  features: FeatureWhatIf[];
}

interface Sweep {
  feature: FeatureSpec;
  values: number[];
}

/** Everything one what-if asks of the model, as one batch: the row itself, then each feature's sweep. */
export interface WhatIfPlan {
  /** The row as sent (validated). */
  row: Readonly<Record<string, unknown>>;
  /** Its values as the model sees them: null where missing. */
  measured: Readonly<Record<string, number | null>>;
  sweeps: Sweep[];
  /** Rows in the batch. */
  count: number;
}

function snap(feature: FeatureSpec, value: number): number {
  if (feature.dtype === 'float') return Math.min(feature.max, Math.max(feature.min, value));
  return Math.min(Math.floor(feature.max), Math.max(Math.ceil(feature.min), Math.round(value)));
}

/** The values a feature takes in its sweep, ascending; a zero that means "not measured" is not a value. */
function sweepValues(feature: FeatureSpec, current: number | null, points = SWEEP_POINTS): number[] {
  const values = new Set<number>();
  for (let i = 0; i < points; i++)
    values.add(snap(feature, feature.min + ((feature.max - feature.min) * i) / (points - 1)));
  if (current !== null) values.add(current);
  if (feature.zeroMeansMissing) values.delete(0);
  return [...values].sort((a, b) => a - b);
}

function planWhatIf(
  manifest: ModelManifest,
  row: Readonly<Record<string, unknown>>,
  measured: Readonly<Record<string, number | null>>,
): WhatIfPlan {
  const sweeps = manifest.features.map((feature) => ({
    feature,
    values: sweepValues(feature, measured[feature.name] ?? null),
  }));
  return { row, measured, sweeps, count: 1 + sweeps.reduce((rows, sweep) => rows + sweep.values.length, 0) };
}

/** The batch as the model's input tensor: the row, then the row with one feature changed per sweep value. */
function encodeWhatIf(plan: WhatIfPlan, encoder: RowEncoder): ReturnType<RowEncoder['allocate']> {
  const values = encoder.allocate(plan.count);
  let r = 0;
  const write = (row: Readonly<Record<string, unknown>>) => {
    // Sweep values lie in the valid range of a validated row: a refusal here is a bug, not bad input.
    if (!encoder.encodeObject(row, values, r++)) throw new Error(`what-if row ${r - 1} does not encode`);
  };
  write(plan.row);
  for (const { feature, values: sweep } of plan.sweeps) {
    for (const value of sweep) write({ ...plan.row, [feature.name]: value });
  }
  return values;
}

function typicalRange(manifest: ModelManifest, feature: string): [number, number] | null {
  const reference = manifest.reference.find((candidate) => candidate.feature === feature);
  if (!reference || reference.count === 0) return null;
  return [reference.quantiles[5]!, reference.quantiles[95]!];
}

/** The rows of a what-if, encoded as one batch, and the plan that reads its answers back. */
export interface WhatIfRows extends ModelRows {
  plan: WhatIfPlan;
}

/** Validates one flat row as `/predict` does, then plans its sweeps and encodes them, the row first. */
export function parseWhatIf(manifest: ModelManifest, schemas: ModelSchemas, body: unknown): WhatIfRows {
  const parsed = parsePredictBody(manifest, schemas, body);
  if (parsed.batch) {
    throw new Problem('invalid-input', 'what-if takes one flat object of features, not instances', [
      fieldError(['instances'], 'is not accepted here: send one row'),
    ]);
  }
  const plan = planWhatIf(manifest, body as Record<string, unknown>, parsed.inputsOf(0));
  return { count: plan.count, values: encodeWhatIf(plan, schemas.encoder), plan };
}

/** Reads the batch's answers back into one curve per feature, the features that move the probability most first. */
export function whatIfResult(
  manifest: ModelManifest,
  plan: WhatIfPlan,
  answers: readonly RowPrediction[],
): WhatIfResult {
  const own = answers[0]!;
  let next = 1;
  const features = plan.sweeps.map(({ feature, values }): FeatureWhatIf => {
    const points = values.map((value) => ({ value, probability: answers[next++]!.probability }));
    const probabilities = points.map((point) => point.probability);
    return {
      feature: feature.name,
      unit: feature.unit,
      min: feature.min,
      max: feature.max,
      value: plan.measured[feature.name] ?? null,
      typical_range: typicalRange(manifest, feature.name),
      points,
      effect: probabilities.length === 0 ? 0 : Math.max(...probabilities) - Math.min(...probabilities),
    };
  });
  features.sort((a, b) => b.effect - a.effect);
  return {
    model: { name: manifest.name, version: manifest.version },
    probability: own.probability,
    risk_level: own.risk_level,
    features,
  };
}
