import type { ClassificationMetrics } from '@glyco/contract';
import { foldSplit, stratifiedFolds } from './cross-validation.ts';
import type { Dataset } from './dataset.ts';
import { TrainingDataError } from './errors.ts';
import { DEFAULT_GBT_OPTIONS, fitGbt } from './gradient-boosting.ts';
import { fitLogistic } from './logistic-regression.ts';
import { classificationMetrics } from './metrics.ts';
import { fitPreprocessing, transformRows } from './preprocessing.ts';
import { seededRandom } from './random.ts';
import { type AlgorithmName, predictProbability, type TrainedModel } from './trained-model.ts';

export const ALGORITHMS = ['logreg', 'gbt'] as const satisfies readonly AlgorithmName[];
export type AlgorithmChoice = AlgorithmName | 'auto';

/** The L2 penalty of logistic regression (on standardised features, like scikit-learn's C = 1). */
export const LOGISTIC_L2 = 1;
/** Probability at or above which a row is labelled positive. */
export const DECISION_THRESHOLD = 0.5;

export type ProgressEvent =
  | { kind: 'fold'; algorithm: AlgorithmName; fold: number; folds: number }
  | { kind: 'round'; algorithm: AlgorithmName; round: number; maxRounds: number }
  | { kind: 'refit'; algorithm: AlgorithmName };

export type TrainingOptions = {
  algorithm: AlgorithmChoice;
  folds: number;
  seed: number;
  onProgress?: (event: ProgressEvent) => void;
};

export type CrossValidation = {
  /** Out-of-fold probability of every row. */
  scores: number[];
  perFold: ClassificationMetrics[];
};

export type TrainingResult = {
  model: TrainedModel;
  crossValidation: CrossValidation;
  /** Mean CV ROC AUC per candidate, when `auto` chose. */
  candidates?: Record<string, number>;
};

/**
 * Cross-validates the candidate algorithm(s) on stratified folds, picks the best mean ROC AUC (`auto`; ties go to
 * the simpler logistic regression) and refits it on every row.
 */
export function trainModel(dataset: Dataset, options: TrainingOptions): TrainingResult {
  checkFolds(dataset.labels, options.folds);
  const assignment = stratifiedFolds(dataset.labels, options.folds, seededRandom(options.seed));
  const candidates = options.algorithm === 'auto' ? ALGORITHMS : [options.algorithm];
  const results = candidates.map((algorithm) => ({
    algorithm,
    crossValidation: crossValidate(dataset, assignment, algorithm, options),
  }));
  const meanAuc = (cv: CrossValidation) =>
    cv.perFold.reduce((sum, fold) => sum + fold.rocAuc, 0) / cv.perFold.length;
  const best = results.reduce((winner, result) =>
    meanAuc(result.crossValidation) > meanAuc(winner.crossValidation) ? result : winner,
  );
  options.onProgress?.({ kind: 'refit', algorithm: best.algorithm });
  const model = fitModel(best.algorithm, dataset.rows, dataset.labels, options.seed, options.onProgress);
  return {
    model,
    crossValidation: best.crossValidation,
    ...(options.algorithm === 'auto' && {
      candidates: Object.fromEntries(results.map((r) => [r.algorithm, meanAuc(r.crossValidation)])),
    }),
  };
}

function crossValidate(
  dataset: Dataset,
  assignment: readonly number[],
  algorithm: AlgorithmName,
  options: TrainingOptions,
): CrossValidation {
  const scores = new Array<number>(dataset.labels.length).fill(0);
  const perFold: ClassificationMetrics[] = [];
  for (let fold = 0; fold < options.folds; fold++) {
    options.onProgress?.({ kind: 'fold', algorithm, fold: fold + 1, folds: options.folds });
    const { train, test } = foldSplit(assignment, fold);
    const model = fitModel(
      algorithm,
      train.map((i) => dataset.rows[i]!),
      train.map((i) => dataset.labels[i]!),
      options.seed + fold + 1,
      options.onProgress,
    );
    for (const i of test) scores[i] = predictProbability(model, dataset.rows[i]!);
    const labels = test.map((i) => dataset.labels[i]!);
    perFold.push(
      classificationMetrics(
        labels,
        test.map((i) => scores[i]!),
        DECISION_THRESHOLD,
      ),
    );
  }
  return { scores, perFold };
}

/** Fits preprocessing and model on these rows only. */
export function fitModel(
  algorithm: AlgorithmName,
  rows: readonly number[][],
  labels: readonly number[],
  seed: number,
  onProgress?: (event: ProgressEvent) => void,
): TrainedModel {
  const preprocessing = fitPreprocessing(rows, rows[0]!.length);
  const x = transformRows(rows, preprocessing);
  if (algorithm === 'logreg') {
    return {
      algorithm,
      preprocessing,
      hyperparameters: { l2: LOGISTIC_L2 },
      logistic: fitLogistic(x, labels, { l2: LOGISTIC_L2 }),
    };
  }
  const { ensemble, rounds } = fitGbt(x, labels, DEFAULT_GBT_OPTIONS, seed, (round, maxRounds) =>
    onProgress?.({ kind: 'round', algorithm, round, maxRounds }),
  );
  return { algorithm, preprocessing, hyperparameters: { ...DEFAULT_GBT_OPTIONS, rounds }, ensemble };
}

function checkFolds(labels: readonly number[], folds: number): void {
  if (!Number.isInteger(folds) || folds < 2)
    throw new TrainingDataError(`--folds must be an integer ≥ 2, got ${folds}`);
  const positives = labels.reduce((sum, label) => sum + label, 0);
  const smaller = Math.min(positives, labels.length - positives);
  if (smaller < folds) {
    throw new TrainingDataError(
      `the smaller class has ${smaller} rows, too few for ${folds}-fold cross-validation (each fold needs one of each)`,
    );
  }
}
