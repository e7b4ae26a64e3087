import type { AlgorithmName, Task } from '@glyco/contract';
import { ensembleMargins, type TreeEnsemble } from './gradient-boosting.ts';
import { type LogisticModel, logisticMargins, sigmoid } from './logistic-regression.ts';
import { allRows, type Design, type FeatureData, type Preprocessing, transform } from './preprocessing.ts';
import { type RidgeModel, ridgeValue } from './ridge.ts';

export type Hyperparameters = Record<string, number | string | boolean>;
export type ComponentName = Exclude<AlgorithmName, 'blend'>;

/** One fitted model on the design matrix. */
export type Head =
  | { algorithm: 'logreg'; logistic: LogisticModel }
  | { algorithm: 'ridge'; ridge: RidgeModel }
  | { algorithm: 'gbt'; ensemble: TreeEnsemble };

export type Component = { head: Head; hyperparameters: Hyperparameters; weight: number };

/**
 * A fitted model: its preprocessing and one component (weight 1), or a blend of two whose outputs (class
 * probabilities or values) are averaged with weights summing to 1. Exactly what the ONNX export encodes.
 */
export type TrainedModel = {
  task: Task;
  /** Number of classes; 1 for regression. */
  outputs: number;
  preprocessing: Preprocessing;
  algorithm: AlgorithmName;
  components: Component[];
};

/** The model's outputs for every row of a design matrix: probabilities `[N, K]` (K = 2 for binary), or values `[N]`. */
export function predictDesign(model: TrainedModel, design: Design): Float64Array {
  const width = model.task === 'regression' ? 1 : model.task === 'binary' ? 2 : model.outputs;
  const out = new Float64Array(design.rows * width);
  const row = new Float64Array(design.columns.length);
  const scratch = new Float64Array(width);
  const margins = new Float64Array(Math.max(model.outputs, 1));
  for (let i = 0; i < design.rows; i++) {
    for (let j = 0; j < row.length; j++) row[j] = design.columns[j]![i]!;
    for (const { head, weight } of model.components) {
      headOutputs(model.task, head, row, margins, scratch);
      for (let k = 0; k < width; k++)
        out[i * width + k]! += model.components.length === 1 ? scratch[k]! : weight * scratch[k]!;
    }
  }
  return out;
}

/** The outputs of every row of the data (or of `rows`), raw features in, as the ONNX graph computes them. */
export function predictRows(
  model: TrainedModel,
  data: FeatureData,
  rows = allRows(data.columns[0]!.length),
): Float64Array {
  return predictDesign(model, transform(data, model.preprocessing, rows));
}

/**
 * One head's outputs for one design row, in the ONNX graph's arithmetic: linear margins in double; tree margins
 * summed, then rounded to float32 as TreeEnsembleRegressor outputs them; sigmoid or softmax after.
 */
function headOutputs(
  task: Task,
  head: Head,
  row: Float64Array,
  margins: Float64Array,
  out: Float64Array,
): void {
  if (head.algorithm === 'ridge') {
    out[0] = ridgeValue(head.ridge, row);
    return;
  }
  if (head.algorithm === 'logreg') logisticMargins(head.logistic, row, margins);
  else {
    ensembleMargins(head.ensemble, row, margins);
    for (let k = 0; k < head.ensemble.outputs; k++) margins[k] = Math.fround(margins[k]!);
  }
  if (task === 'regression') out[0] = margins[0]!;
  else if (task === 'binary') {
    const positive = sigmoid(margins[0]!);
    out[0] = 1 - positive;
    out[1] = positive;
  } else softmax(margins, out);
}

function softmax(margins: Float64Array, out: Float64Array): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < out.length; k++) max = Math.max(max, margins[k]!);
  let total = 0;
  for (let k = 0; k < out.length; k++) {
    out[k] = Math.exp(margins[k]! - max);
    total += out[k]!;
  }
  for (let k = 0; k < out.length; k++) out[k]! /= total;
}
