import type {
  ClassificationMetrics,
  MulticlassEvaluation,
  RegressionEvaluation,
  Task,
} from '@glyco/contract';
import type { Dataset } from './dataset.ts';
import { classificationMetrics, multiclassMetrics, regressionMetrics } from './metrics.ts';
import type { Rows } from './preprocessing.ts';

/** Probability of the positive class at or above which a binary prediction is positive. */
export const DECISION_THRESHOLD = 0.5;

export type FoldEvaluation = ClassificationMetrics | MulticlassEvaluation | RegressionEvaluation;

/** The task's metrics of `outputs` (probabilities `[N, K]` or values `[N]`, every row of the data) on `rows`. */
export function evaluate(
  dataset: Pick<Dataset, 'task' | 'target' | 'y'>,
  outputs: Float64Array,
  rows: Rows,
): FoldEvaluation {
  const labels = Float64Array.from(rows, (row) => dataset.y[row]!);
  if (dataset.task === 'regression')
    return regressionMetrics(
      labels,
      Float64Array.from(rows, (row) => outputs[row]!),
    );
  const classes = dataset.target.classLabels.length;
  if (dataset.task === 'binary') {
    return classificationMetrics(
      labels,
      Float64Array.from(rows, (row) => outputs[row * 2 + 1]!),
      DECISION_THRESHOLD,
    );
  }
  const probabilities = new Float64Array(rows.length * classes);
  rows.forEach((row, position) => {
    probabilities.set(outputs.subarray(row * classes, (row + 1) * classes), position * classes);
  });
  return multiclassMetrics(labels, probabilities, dataset.target.classLabels);
}

/** The task's primary metric of one evaluation: ROC AUC (macro for multiclass) or RMSE. */
export function primaryScore(task: Task, evaluation: FoldEvaluation): number {
  return task === 'regression'
    ? (evaluation as RegressionEvaluation).rmse
    : (evaluation as ClassificationMetrics).rocAuc;
}
