import type { FeatureSpec } from '@glyco/contract';
import type { LoggedValue } from '@glyco/prediction-log';
import type { ModelInput } from '../model/inference-engine.ts';

/** Validated rows, encoded for the model. */
export interface ModelRows {
  count: number;
  /** The ONNX inputs for `count` rows, in manifest feature order, missing values marked. */
  input: ModelInput;
}

/** Validated rows of a prediction request, encoded for the model, with the raw inputs kept for the log. */
export interface ParsedRows extends ModelRows {
  /** Row `row` as the prediction log stores it: every feature, null where it was missing. */
  inputsOf(row: number): Record<string, LoggedValue>;
}

/** A validated value as the log keeps it: numbers and categories as sent, null where the model saw none. */
function loggedValue(feature: FeatureSpec, value: unknown): LoggedValue {
  if (feature.dtype === 'category') return typeof value === 'string' ? value : null;
  return typeof value !== 'number' || (feature.zeroMeansMissing && value === 0) ? null : value;
}

/** Log inputs of a row object, as sent (the tensor holds float32 roundings of them). */
export function loggedInputs(features: readonly FeatureSpec[], row: unknown): Record<string, LoggedValue> {
  const record = row as Record<string, unknown>;
  // A loop, not Object.fromEntries: half the cost, for an object made for every logged row.
  const inputs: Record<string, LoggedValue> = {};
  for (const feature of features) inputs[feature.name] = loggedValue(feature, record[feature.name]);
  return inputs;
}

/**
 * Log inputs of row `row` of v2 tensors, as sent: `numeric` holds the numeric features' values, `categorical`
 * the categorical ones', each row-major in manifest order.
 */
export function inputsOfTensors(
  features: readonly FeatureSpec[],
  numeric: readonly unknown[],
  categorical: readonly unknown[],
  row: number,
): Record<string, LoggedValue> {
  const numericWidth = features.filter((feature) => feature.dtype !== 'category').length;
  const categoricalWidth = features.length - numericWidth;
  let [f, c] = [row * numericWidth, row * categoricalWidth];
  const inputs: Record<string, LoggedValue> = {};
  for (const feature of features) {
    const value = feature.dtype === 'category' ? categorical[c++] : numeric[f++];
    inputs[feature.name] = loggedValue(feature, value);
  }
  return inputs;
}
