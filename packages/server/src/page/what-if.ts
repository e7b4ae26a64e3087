import {
  type FeatureSpec,
  isCategorical,
  type ModelManifest,
  type NumericFeatureSpec,
} from '@glyco/contract';
import type { LoggedValue } from '@glyco/prediction-log';
import { fieldError, Problem } from '../http/problem.ts';
import type { ModelInput } from '../model/inference-engine.ts';
import type { RowEncoder } from '../model/row-encoder.ts';
import type { RowPrediction } from '../prediction/row-prediction.ts';
import type { ModelSchemas } from '../validation/model-schemas.ts';
import type { ModelRows } from '../validation/parsed-rows.ts';
import { parsePredictBody } from '../validation/predict-body.ts';

/** Evenly spaced values per numeric feature across its valid range; the row's own value is added to them. */
const SWEEP_POINTS = 25;

/** One row of a sweep: the feature's value there, and the model's answer as one number per series. */
export interface WhatIfPoint {
  value: number | string;
  outputs: number[];
}

/** How the answer moves when one feature sweeps its valid range (or its categories), every other value as sent. */
export interface FeatureWhatIf {
  feature: string;
  kind: 'numeric' | 'categorical';
  unit: string | null;
  /** A numeric feature's valid range (null for a categorical one). */
  min: number | null;
  max: number | null;
  /** The row's own value; null when it is missing (the model imputes it). */
  value: number | string | null;
  /** The middle 90% of a numeric feature's training values (5th to 95th percentile), when known. */
  typical_range: [number, number] | null;
  points: WhatIfPoint[];
  /** The largest change of any series across the sweep (highest minus lowest). */
  effect: number;
}

/**
 * A what-if: the row's own answer and one sweep per feature, the largest effect first. Each point gives one
 * number per series: binary, the positive class's probability; multiclass, each class's probability in
 * `series` order; regression, the predicted value.
 */
export interface WhatIfResult {
  model: { name: string; version: string };
  task: ModelManifest['task'];
  /** What `/predict` answers for the row. */
  answer: RowPrediction;
  /** The name of each number a point gives. */
  series: string[];
  features: FeatureWhatIf[];
}

interface Sweep {
  feature: FeatureSpec;
  values: (number | string)[];
}

/** Everything one what-if asks of the model, as one batch: the row itself, then each feature's sweep. */
export interface WhatIfPlan {
  /** The row as sent (validated). */
  row: Readonly<Record<string, unknown>>;
  /** Its values as the model sees them: null where missing. */
  measured: Readonly<Record<string, LoggedValue>>;
  sweeps: Sweep[];
  /** Rows in the batch. */
  count: number;
}

function snap(feature: NumericFeatureSpec, value: number): number {
  if (feature.dtype === 'float') return Math.min(feature.max, Math.max(feature.min, value));
  return Math.min(Math.floor(feature.max), Math.max(Math.ceil(feature.min), Math.round(value)));
}

/** The values a numeric feature takes in its sweep, ascending; a zero that means "not measured" is not a value. */
function sweepNumbers(feature: NumericFeatureSpec, current: LoggedValue, points = SWEEP_POINTS): number[] {
  const values = new Set<number>();
  for (let i = 0; i < points; i++)
    values.add(snap(feature, feature.min + ((feature.max - feature.min) * i) / (points - 1)));
  if (typeof current === 'number') values.add(current);
  if (feature.zeroMeansMissing) values.delete(0);
  return [...values].sort((a, b) => a - b);
}

function planWhatIf(
  manifest: ModelManifest,
  row: Readonly<Record<string, unknown>>,
  measured: Readonly<Record<string, LoggedValue>>,
): WhatIfPlan {
  const sweeps = manifest.features.map((feature) => ({
    feature,
    values: isCategorical(feature)
      ? [...feature.categories]
      : sweepNumbers(feature, measured[feature.name] ?? null),
  }));
  return { row, measured, sweeps, count: 1 + sweeps.reduce((rows, sweep) => rows + sweep.values.length, 0) };
}

/** The batch as the model's input: the row, then the row with one feature changed per sweep value. */
function encodeWhatIf(plan: WhatIfPlan, encoder: RowEncoder): ModelInput {
  const input = encoder.allocate(plan.count);
  let r = 0;
  const write = (row: Readonly<Record<string, unknown>>) => {
    // Sweep values are valid values of a validated row: a refusal here is a bug, not bad input.
    if (!encoder.encodeObject(row, input, r++)) throw new Error(`what-if row ${r - 1} does not encode`);
  };
  write(plan.row);
  for (const { feature, values } of plan.sweeps) {
    for (const value of values) write({ ...plan.row, [feature.name]: value });
  }
  return input;
}

function typicalRange(manifest: ModelManifest, feature: string): [number, number] | null {
  const reference = manifest.reference.find((candidate) => candidate.feature === feature);
  if (!reference || reference.count === 0 || !('quantiles' in reference)) return null;
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
  return { count: plan.count, input: encodeWhatIf(plan, schemas.encoder), plan };
}

/** The series a task's points give, and how to read them from an answer. */
function seriesOf(manifest: ModelManifest): { names: string[]; read(answer: RowPrediction): number[] } {
  if (manifest.task === 'regression') {
    return { names: [manifest.target.name], read: (answer) => ('value' in answer ? [answer.value] : []) };
  }
  if (manifest.task === 'multiclass') {
    const labels = manifest.target.classLabels;
    return {
      names: [...labels],
      read: (answer) =>
        'probabilities' in answer ? labels.map((label) => answer.probabilities[label]!) : [],
    };
  }
  return {
    names: [manifest.target.classLabels[1]],
    read: (answer) => ('probability' in answer ? [answer.probability] : []),
  };
}

/** Highest minus lowest, per series, the largest of them. */
function largestChange(points: readonly WhatIfPoint[], series: number): number {
  let effect = 0;
  for (let s = 0; s < series; s++) {
    const values = points.map((point) => point.outputs[s]!);
    if (values.length > 0) effect = Math.max(effect, Math.max(...values) - Math.min(...values));
  }
  return effect;
}

/** Reads the batch's answers back into one sweep per feature, the features that move the answer most first. */
export function whatIfResult(
  manifest: ModelManifest,
  plan: WhatIfPlan,
  answers: readonly RowPrediction[],
): WhatIfResult {
  const series = seriesOf(manifest);
  let next = 1;
  const features = plan.sweeps.map(({ feature, values }): FeatureWhatIf => {
    const points = values.map((value) => ({ value, outputs: series.read(answers[next++]!) }));
    const categorical = isCategorical(feature);
    return {
      feature: feature.name,
      kind: categorical ? 'categorical' : 'numeric',
      unit: categorical ? null : feature.unit,
      min: categorical ? null : feature.min,
      max: categorical ? null : feature.max,
      value: plan.measured[feature.name] ?? null,
      typical_range: categorical ? null : typicalRange(manifest, feature.name),
      points,
      effect: largestChange(points, series.names.length),
    };
  });
  features.sort((a, b) => b.effect - a.effect);
  return {
    model: { name: manifest.name, version: manifest.version },
    task: manifest.task,
    answer: answers[0]!,
    series: series.names,
    features,
  };
}
