import { type ModelManifest, PRIMARY_METRICS } from '@glyco/contract';
import type { LabelledRow } from '@glyco/prediction-log';
import { classificationMetrics, multiclassMetrics, regressionMetrics } from '@glyco/trainer/metrics';
import type { RowsScore } from './evaluation.ts';
import { classIndex, observedValue } from './training-data.ts';

/**
 * The task's primary metric (`PRIMARY_METRICS`, which the trainer's `auto` and the promote gate read too) of a
 * model's served answers on the evaluation rows, computed by the trainer's own evaluation of the task: the ROC AUC
 * of the positive class's probability (binary), the macro one-vs-rest ROC AUC of the class probabilities
 * (multiclass), the RMSE of the values (regression).
 */
export function primaryScore(manifest: ModelManifest, rows: readonly LabelledRow[]): RowsScore {
  if (manifest.task === 'regression') {
    const actual = Float64Array.from(rows, observedValue);
    const metric = PRIMARY_METRICS.regression.metric;
    return (values, sample) => regressionMetrics(pick(actual, sample), pick(values, sample))[metric];
  }
  const outcomes = Int32Array.from(rows, classIndex);
  if (manifest.task === 'multiclass') {
    const { classLabels } = manifest.target;
    const metric = PRIMARY_METRICS.multiclass.metric;
    return (probabilities, sample) =>
      multiclassMetrics(pick(outcomes, sample), pick(probabilities, sample, classLabels.length), classLabels)[
        metric
      ];
  }
  const { threshold } = manifest.metrics;
  const metric = PRIMARY_METRICS.binary.metric;
  return (probabilities, sample) => {
    const positive = Float64Array.from(sample, (row) => probabilities[row * 2 + 1]!);
    return classificationMetrics(pick(outcomes, sample), positive, threshold)[metric];
  };
}

/** The rows `sample` names of a row-major `[N, width]` array, in the sample's order. */
function pick(values: ArrayLike<number>, sample: Int32Array, width = 1): Float64Array {
  const picked = new Float64Array(sample.length * width);
  for (let i = 0; i < sample.length; i++)
    for (let k = 0; k < width; k++) picked[i * width + k] = values[sample[i]! * width + k]!;
  return picked;
}
