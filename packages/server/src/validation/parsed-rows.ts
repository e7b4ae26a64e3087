import type { NumericFeatureSpec as FeatureSpec } from '@glyco/contract';
import type { FeatureTensorData } from '../model/inference-engine.ts';

/** Validated rows, encoded for the model. */
export interface ModelRows {
  count: number;
  /** The ONNX input `[count, F]` in manifest feature order, NaN where a value is missing. */
  values: FeatureTensorData;
}

/** Validated rows of a prediction request, encoded for the model, with the raw inputs kept for the log. */
export interface ParsedRows extends ModelRows {
  /** Row `row` as the prediction log stores it: every feature, null where it was missing. */
  inputsOf(row: number): Record<string, number | null>;
}

function loggedValue(feature: FeatureSpec, value: unknown): number | null {
  return typeof value !== 'number' || (feature.zeroMeansMissing && value === 0) ? null : value;
}

/** Log inputs of a row object, as sent (the tensor holds float32 roundings of them). */
export function loggedInputs(features: readonly FeatureSpec[], row: unknown): Record<string, number | null> {
  const record = row as Record<string, unknown>;
  // A loop, not Object.fromEntries: half the cost, for an object made for every logged row.
  const inputs: Record<string, number | null> = {};
  for (const feature of features) inputs[feature.name] = loggedValue(feature, record[feature.name]);
  return inputs;
}

/** Log inputs of row `row` of a row-major value array, as sent. */
export function inputsOfValues(
  features: readonly FeatureSpec[],
  data: readonly unknown[],
  row: number,
): Record<string, number | null> {
  const offset = row * features.length;
  const inputs: Record<string, number | null> = {};
  for (let f = 0; f < features.length; f++) {
    inputs[features[f]!.name] = loggedValue(features[f]!, data[offset + f]);
  }
  return inputs;
}
