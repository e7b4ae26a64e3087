import type {
  ClassificationMetrics,
  ClassMetrics,
  ConfusionMatrix,
  MulticlassEvaluation,
  RegressionEvaluation,
} from '@glyco/contract';

/**
 * Area under the ROC curve: the probability that a random positive outranks a random negative (ties count ½).
 * Positives' and negatives' scores are sorted apart (native typed-array sorts) and merged.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  let positiveCount = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) positiveCount++;
  const positives = new Float64Array(positiveCount);
  const negatives = new Float64Array(labels.length - positiveCount);
  let p = 0;
  let n = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) positives[p++] = scores[i]!;
    else negatives[n++] = scores[i]!;
  }
  if (positives.length === 0 || negatives.length === 0) return Number.NaN;
  positives.sort();
  negatives.sort();
  let below = 0;
  let wins = 0;
  for (let i = 0; i < positives.length; i++) {
    const score = positives[i]!;
    while (below < negatives.length && negatives[below]! < score) below++;
    let equal = below;
    while (equal < negatives.length && negatives[equal] === score) equal++;
    wins += below + (equal - below) / 2;
  }
  return wins / (positives.length * negatives.length);
}

/** ROC curve points (false positive rate, true positive rate) from (0,0) to (1,1), one per distinct score. */
export function rocCurve(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
): { fpr: number; tpr: number }[] {
  const order = Array.from({ length: labels.length }, (_, index) => index).sort(
    (a, b) => scores[b]! - scores[a]!,
  );
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) positives++;
  const negatives = labels.length - positives;
  const points = [{ fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < order.length; i++) {
    if (labels[order[i]!] === 1) tp++;
    else fp++;
    if (i === order.length - 1 || scores[order[i + 1]!] !== scores[order[i]!]) {
      points.push({ fpr: fp / negatives, tpr: tp / positives });
    }
  }
  return points;
}

export function confusionMatrix(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold: number) {
  const matrix: ConfusionMatrix = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let index = 0; index < labels.length; index++) {
    const predicted = scores[index]! >= threshold;
    const label = labels[index];
    if (predicted && label === 1) matrix.tp++;
    else if (predicted) matrix.fp++;
    else if (label === 1) matrix.fn++;
    else matrix.tn++;
  }
  return matrix;
}

/** Binary metrics of the positive class's probabilities at a decision threshold. */
export function classificationMetrics(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  threshold: number,
): ClassificationMetrics {
  const matrix = confusionMatrix(labels, scores, threshold);
  const { tp, fp, tn, fn } = matrix;
  let brier = 0;
  for (let index = 0; index < labels.length; index++) brier += (scores[index]! - labels[index]!) ** 2;
  return {
    rocAuc: rocAuc(labels, scores),
    accuracy: (tp + tn) / labels.length,
    f1: tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn),
    brier: brier / labels.length,
    confusionMatrix: matrix,
  };
}

/** The most probable class of each row of `probabilities` `[N, K]` (ties go to the first, as ONNX ArgMax does). */
export function argmaxRows(probabilities: ArrayLike<number>, classes: number): Int32Array {
  const rows = probabilities.length / classes;
  const labels = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++)
      if (probabilities[i * classes + k]! > probabilities[i * classes + best]!) best = k;
    labels[i] = best;
  }
  return labels;
}

/** Multiclass metrics of class probabilities `[N, K]` against class indices. */
export function multiclassMetrics(
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  classLabels: readonly string[],
): MulticlassEvaluation {
  const classes = classLabels.length;
  const n = labels.length;
  const predicted = argmaxRows(probabilities, classes);
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  let logLoss = 0;
  for (let i = 0; i < n; i++) {
    const actual = labels[i]!;
    matrix[actual]![predicted[i]!]!++;
    if (predicted[i] === actual) correct++;
    logLoss -= Math.log(Math.max(probabilities[i * classes + actual]!, 1e-15));
  }
  const perClass: ClassMetrics[] = classLabels.map((label, k) => {
    const support = matrix[k]!.reduce((sum, count) => sum + count, 0);
    const predictedAs = matrix.reduce((sum, row) => sum + row[k]!, 0);
    const tp = matrix[k]![k]!;
    const precision = predictedAs ? tp / predictedAs : 0;
    const recall = support ? tp / support : 0;
    const oneVsRest = Float64Array.from({ length: n }, (_, i) => (labels[i] === k ? 1 : 0));
    const scores = Float64Array.from({ length: n }, (_, i) => probabilities[i * classes + k]!);
    return {
      label,
      support,
      precision,
      recall,
      f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
      rocAuc: rocAuc(oneVsRest, scores),
    };
  });
  return {
    rocAuc: mean(perClass.map((metrics) => metrics.rocAuc)),
    accuracy: correct / n,
    macroF1: mean(perClass.map((metrics) => metrics.f1)),
    logLoss: logLoss / n,
    confusionMatrix: matrix,
    perClass,
  };
}

export function regressionMetrics(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
): RegressionEvaluation {
  const n = actual.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += actual[i]!;
  const average = sum / n;
  let squared = 0;
  let absolute = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const residual = actual[i]! - predicted[i]!;
    squared += residual * residual;
    absolute += Math.abs(residual);
    total += (actual[i]! - average) ** 2;
  }
  return {
    rmse: Math.sqrt(squared / n),
    r2: total > 0 ? 1 - squared / total : 0,
    mae: absolute / n,
  };
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Mean and sample standard deviation. */
export function meanSd(values: readonly number[]): { mean: number; sd: number; perFold: number[] } {
  const average = mean(values);
  const variance =
    values.length > 1
      ? values.reduce((sum, value) => sum + (value - average) ** 2, 0) / (values.length - 1)
      : 0;
  return { mean: average, sd: Math.sqrt(variance), perFold: [...values] };
}
