import type { Task } from '@glyco/contract';
import { fitGbt } from './gbt-tuning.ts';
import type { Objective } from './gradient-boosting.ts';
import { fitLogistic, fitSoftmax } from './logistic-regression.ts';
import { type Design, type FeatureData, fitPreprocessing, type Rows, transform } from './preprocessing.ts';
import { seededRandom } from './random.ts';
import { fitRidge } from './ridge.ts';
import type { Component, ComponentName, Head, Hyperparameters, TrainedModel } from './trained-model.ts';

/** The L2 penalty of logistic regression (on standardised features, like scikit-learn's C = 1). */
export const LOGISTIC_L2 = 1;

export type ClassWeight = 'none' | 'balanced';

/** Everything a fit needs to know about the data: features, target, task. */
export type ModelData = FeatureData & {
  task: Task;
  y: Float64Array;
  /** Number of classes; 1 for regression. */
  outputs: number;
  classWeight: ClassWeight;
  /** Whether the trees are tuned by inner cross-validation, decided by the size of the whole data (tunesTrees). */
  tuneTrees: boolean;
};

export type FitRequest = {
  /** One component, or two to blend with `weights`. */
  components: readonly ComponentName[];
  weights?: readonly number[];
  rows: Rows;
  seed: number;
  onRound?: ((round: number, maxRounds: number) => void) | undefined;
};

/** Fits preprocessing and the model's components on these rows only. */
export function fitModel(data: ModelData, request: FitRequest): TrainedModel {
  const preprocessing = fitPreprocessing(data, request.rows);
  const design = transform(data, preprocessing, request.rows);
  const y = Float64Array.from(request.rows, (row) => data.y[row]!);
  const weights = data.classWeight === 'balanced' ? balancedWeights(y, data.outputs) : undefined;
  const components: Component[] = request.components.map((name, index) => ({
    ...fitHead(name, data, design, y, weights, request.seed, request.onRound),
    weight: request.weights?.[index] ?? 1,
  }));
  return {
    task: data.task,
    outputs: data.outputs,
    preprocessing,
    algorithm: components.length > 1 ? 'blend' : request.components[0]!,
    components,
  };
}

function objectiveOf(data: ModelData): Objective {
  if (data.task === 'regression') return { kind: 'regression' };
  if (data.task === 'binary') return { kind: 'binary' };
  return { kind: 'multiclass', classes: data.outputs };
}

function fitHead(
  name: ComponentName,
  data: ModelData,
  design: Design,
  y: Float64Array,
  weights: Float64Array | undefined,
  seed: number,
  onRound: FitRequest['onRound'],
): { head: Head; hyperparameters: Hyperparameters } {
  switch (name) {
    case 'logreg': {
      const options = { l2: LOGISTIC_L2, rowWeights: weights };
      const logistic =
        data.task === 'binary'
          ? fitLogistic(design, y, options)
          : fitSoftmax(design, y, data.outputs, options);
      return { head: { algorithm: 'logreg', logistic }, hyperparameters: { l2: LOGISTIC_L2 } };
    }
    case 'ridge': {
      const ridge = fitRidge(design, y, seededRandom(seed));
      return { head: { algorithm: 'ridge', ridge }, hyperparameters: { alpha: ridge.alpha } };
    }
    case 'gbt': {
      const { ensemble, hyperparameters } = fitGbt({
        design,
        y,
        weights,
        objective: objectiveOf(data),
        random: seededRandom(seed),
        tune: data.tuneTrees,
        onRound,
      });
      return { head: { algorithm: 'gbt', ensemble }, hyperparameters };
    }
  }
}

/**
 * "Balanced" class weights: each class weighs n / (K · n_k) in total, so a 2% class counts as much as an 84% one
 * in the loss. (Off by default: it trades calibrated probabilities for recall of the rare classes.)
 */
function balancedWeights(y: Float64Array, outputs: number): Float64Array {
  const classes = Math.max(outputs, 2);
  const counts = new Float64Array(classes);
  for (const label of y) counts[label]!++;
  const weights = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) weights[i] = y.length / (classes * counts[y[i]!]!);
  return weights;
}
