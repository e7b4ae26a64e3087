import { ensembleMargin, type TreeEnsemble } from './gradient-boosting.ts';
import { type LogisticModel, predictLogistic, sigmoid } from './logistic-regression.ts';
import { type Preprocessing, transformRow } from './preprocessing.ts';

export type AlgorithmName = 'logreg' | 'gbt';
export type Hyperparameters = Record<string, number | string | boolean>;

/** A fitted model: its preprocessing and its head. Exactly what the ONNX export encodes. */
export type TrainedModel = { preprocessing: Preprocessing; hyperparameters: Hyperparameters } & (
  | { algorithm: 'logreg'; logistic: LogisticModel }
  | { algorithm: 'gbt'; ensemble: TreeEnsemble }
);

/** Probability of the positive class for one dataset row (NaN where missing), computed as the ONNX graph does. */
export function predictProbability(model: TrainedModel, raw: readonly number[]): number {
  const row = transformRow(raw, model.preprocessing);
  return model.algorithm === 'logreg'
    ? predictLogistic(model.logistic, row)
    : sigmoid(Math.fround(ensembleMargin(model.ensemble, row)));
}
