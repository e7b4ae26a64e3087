/**
 * Names of the ONNX graph's input and outputs that every exported model uses.
 * Input: raw feature values `[N, F]` in manifest feature order, NaN for missing.
 * Outputs: `label` int64 `[N]` (index into `target.classLabels`) and `probabilities` float `[N, 2]`.
 */
export const ONNX_INPUT = 'features';
export const ONNX_OUTPUT_LABEL = 'label';
export const ONNX_OUTPUT_PROBABILITIES = 'probabilities';

/** Artifact files in a model directory `<registry>/<name>/<version>/`. */
export const MODEL_FILE = 'model.onnx';
export const MANIFEST_FILE = 'manifest.json';
export const CARD_FILE = 'card.md';
