import type { ClassificationMetrics, ConfusionMatrix } from '@glyco/contract';

/** Area under the ROC curve: the probability that a random positive outranks a random negative (ties count ½). */
export function rocAuc(labels: readonly number[], scores: readonly number[]): number {
  const order = scores
    .map((score, index) => ({ score, label: labels[index]! }))
    .sort((a, b) => a.score - b.score);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && order[j]!.score === order[i]!.score) j++;
    const averageRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (order[k]!.label === 1) {
        positives++;
        rankSum += averageRank;
      }
    }
    i = j;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** ROC curve points (false positive rate, true positive rate) from (0,0) to (1,1), one per distinct score. */
export function rocCurve(
  labels: readonly number[],
  scores: readonly number[],
): { fpr: number; tpr: number }[] {
  const order = scores
    .map((score, index) => ({ score, label: labels[index]! }))
    .sort((a, b) => b.score - a.score);
  const positives = labels.filter((label) => label === 1).length;
  const negatives = labels.length - positives;
  const points = [{ fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < order.length; i++) {
    if (order[i]!.label === 1) tp++;
    else fp++;
    if (i === order.length - 1 || order[i + 1]!.score !== order[i]!.score) {
      points.push({ fpr: fp / negatives, tpr: tp / positives });
    }
  }
  return points;
}

export function confusionMatrix(labels: readonly number[], scores: readonly number[], threshold: number) {
  const matrix: ConfusionMatrix = { tp: 0, fp: 0, tn: 0, fn: 0 };
  labels.forEach((label, index) => {
    const predicted = scores[index]! >= threshold;
    if (predicted && label === 1) matrix.tp++;
    else if (predicted) matrix.fp++;
    else if (label === 1) matrix.fn++;
    else matrix.tn++;
  });
  return matrix;
}

export function classificationMetrics(
  labels: readonly number[],
  scores: readonly number[],
  threshold: number,
): ClassificationMetrics {
  const matrix = confusionMatrix(labels, scores, threshold);
  const { tp, fp, tn, fn } = matrix;
  const brier = labels.reduce((sum, label, index) => sum + (scores[index]! - label) ** 2, 0) / labels.length;
  return {
    rocAuc: rocAuc(labels, scores),
    accuracy: (tp + tn) / labels.length,
    f1: tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn),
    brier,
    confusionMatrix: matrix,
  };
}

/** Mean and sample standard deviation. */
export function meanSd(values: readonly number[]): { mean: number; sd: number; perFold: number[] } {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance =
    values.length > 1 ? values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, sd: Math.sqrt(variance), perFold: [...values] };
}
