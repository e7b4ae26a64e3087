/** The numeric features of N rows `[N, F]`, row-major, in the ONNX input's dtype; NaN marks a missing value. */
export type FeatureTensorData = Float32Array | Float64Array;

/**
 * Encoded rows as the graph takes them: the numeric features `[N, F]` and, for a model with categorical
 * features, their texts `[N, C]`, row-major, `""` for a missing one. Either may hold zero columns.
 */
export interface ModelInput {
  numeric: FeatureTensorData;
  /** Undefined when the model has no categorical feature. */
  categorical: string[] | undefined;
}

/** A classifier's outputs for N rows: the class index per row and the class probabilities, row-major `[N, K]`. */
export interface ClassifierOutputs {
  kind: 'classes';
  labels: Int32Array;
  probabilities: Float32Array | Float64Array;
}

/** A regression model's outputs for N rows: the predicted value per row, in the target's unit. */
export interface RegressionOutputs {
  kind: 'values';
  values: Float64Array;
}

export type ModelOutputs = ClassifierOutputs | RegressionOutputs;

/** Rows `[from, to)` of a batch's outputs: views, not copies. */
export function outputRows(outputs: ModelOutputs, from: number, to: number): ModelOutputs {
  if (outputs.kind === 'values') return { kind: 'values', values: outputs.values.subarray(from, to) };
  const classes = outputs.probabilities.length / outputs.labels.length;
  return {
    kind: 'classes',
    labels: outputs.labels.subarray(from, to),
    probabilities: outputs.probabilities.subarray(from * classes, to * classes),
  };
}

/** Runs the model on a batch of encoded rows. The ONNX session is one implementation. */
export interface InferenceEngine {
  run(input: ModelInput, rows: number): Promise<ModelOutputs>;
  /** Frees the native session; called once, after the last run. */
  release(): Promise<void>;
}
