/** Encoded rows `[N, F]`, row-major, in the ONNX input's dtype; NaN marks a missing value. */
export type FeatureTensorData = Float32Array | Float64Array;

/** The model's outputs for N rows: the class index per row and the class probabilities, row-major `[N, C]`. */
export interface ModelOutputs {
  labels: Int32Array;
  probabilities: Float32Array | Float64Array;
}

/** Runs the model on a batch of encoded rows `[N, F]`. The ONNX session is one implementation. */
export interface InferenceEngine {
  run(values: FeatureTensorData, rows: number): Promise<ModelOutputs>;
  /** Frees the native session; called once, after the last run. */
  release(): Promise<void>;
}
