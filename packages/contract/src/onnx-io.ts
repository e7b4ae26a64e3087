/**
 * Names of the ONNX graph's inputs and outputs that every exported model uses.
 * Inputs: `features` float `[N, F]`, the numeric features in manifest order (categorical ones skipped), NaN for
 * missing; `categories` string `[N, C]`, the categorical features in manifest order, `""` for missing (only in
 * models with categorical features).
 * Outputs of a classifier: `label` int64 `[N]` (index into `target.classLabels`) and `probabilities` float `[N, K]`;
 * of a regression model: `value` float64 `[N, 1]` (double: a value in the hundreds keeps 1e-5 agreement).
 */
export const ONNX_INPUT = 'features';
export const ONNX_CATEGORICAL_INPUT = 'categories';
export const ONNX_OUTPUT_LABEL = 'label';
export const ONNX_OUTPUT_PROBABILITIES = 'probabilities';
export const ONNX_OUTPUT_VALUE = 'value';

/** Artifact files in a model directory `<registry>/<name>/<version>/`. */
export const MODEL_FILE = 'model.onnx';
export const MANIFEST_FILE = 'manifest.json';
export const CARD_FILE = 'card.md';

/** The trainer's figures in a model directory: classifiers get the first two, regression models the last two. */
export const ROC_FILE = 'roc.svg';
export const CONFUSION_MATRIX_FILE = 'confusion-matrix.svg';
export const PREDICTED_VS_ACTUAL_FILE = 'predicted-vs-actual.svg';
export const RESIDUALS_FILE = 'residuals.svg';
