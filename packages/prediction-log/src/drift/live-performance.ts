/** A binary prediction with the outcome reported for it. */
export interface Outcome {
  probability: number;
  prediction: number;
  outcome: 0 | 1;
}

/** How a binary classifier does on the predictions whose outcome was reported. */
export interface BinaryLivePerformance {
  task: 'binary';
  outcomes: number;
  positives: number;
  /** Null while only one class was reported. */
  roc_auc: number | null;
  /** The held-out ROC AUC from the manifest, to compare against. */
  reference_roc_auc: number;
  accuracy: number;
  brier: number;
  /** Calibration in the large: the mean predicted probability against the observed positive rate. */
  mean_probability: number;
  observed_rate: number;
}

/**
 * ROC AUC as the Mann–Whitney statistic: the chance that a random positive scores above a random negative,
 * ties counting half (average ranks). Undefined (null) without both classes.
 */
export function rocAuc(outcomes: readonly Outcome[]): number | null {
  const positives = outcomes.filter((o) => o.outcome === 1).length;
  const negatives = outcomes.length - positives;
  if (positives === 0 || negatives === 0) return null;
  const sorted = [...outcomes].sort((a, b) => a.probability - b.probability);
  let positiveRankSum = 0;
  for (let start = 0; start < sorted.length; ) {
    let end = start;
    while (end < sorted.length && sorted[end]!.probability === sorted[start]!.probability) end++;
    const averageRank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) if (sorted[i]!.outcome === 1) positiveRankSum += averageRank;
    start = end;
  }
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export function livePerformance(
  outcomes: readonly Outcome[],
  referenceRocAuc: number,
): BinaryLivePerformance | null {
  const n = outcomes.length;
  if (n === 0) return null;
  let positives = 0;
  let correct = 0;
  let squaredError = 0;
  let probabilitySum = 0;
  for (const { probability, prediction, outcome } of outcomes) {
    positives += outcome;
    if (prediction === outcome) correct++;
    squaredError += (probability - outcome) ** 2;
    probabilitySum += probability;
  }
  return {
    task: 'binary',
    outcomes: n,
    positives,
    roc_auc: rocAuc(outcomes),
    reference_roc_auc: referenceRocAuc,
    accuracy: correct / n,
    brier: squaredError / n,
    mean_probability: probabilitySum / n,
    observed_rate: positives / n,
  };
}

/** One class of a multiclass model on the reported outcomes. */
export interface ClassLivePerformance {
  label: string;
  /** Outcomes of this class reported. */
  observed: number;
  /** Of those, predicted as this class. */
  correct: number;
  /** Predictions of this class among the reported outcomes. */
  predicted: number;
  /** Null when the class was neither observed nor predicted. */
  f1: number | null;
}

/** How a multiclass classifier does on the predictions whose outcome was reported. */
export interface MulticlassLivePerformance {
  task: 'multiclass';
  outcomes: number;
  accuracy: number;
  /** The mean F1 over the classes observed or predicted (as scikit-learn's macro average): each counts the same. */
  macro_f1: number;
  /** The held-out figures from the manifest, to compare against. */
  reference_accuracy: number;
  reference_macro_f1: number;
  classes: ClassLivePerformance[];
}

/** A class prediction (class index) with the class reported for it. */
export interface ClassOutcome {
  prediction: number;
  outcome: number;
}

export function multiclassLivePerformance(
  outcomes: readonly ClassOutcome[],
  classLabels: readonly string[],
  reference: { accuracy: number; macroF1: number },
): MulticlassLivePerformance | null {
  if (outcomes.length === 0) return null;
  const classes = classLabels.map((label) => ({ label, observed: 0, correct: 0, predicted: 0 }));
  let correct = 0;
  for (const { prediction, outcome } of outcomes) {
    const observed = classes[outcome];
    const predicted = classes[prediction];
    if (observed) observed.observed++;
    if (predicted) predicted.predicted++;
    if (prediction === outcome && observed) {
      observed.correct++;
      correct++;
    }
  }
  const perClass = classes.map((entry) => {
    const seen = entry.observed + entry.predicted;
    return { ...entry, f1: seen === 0 ? null : (2 * entry.correct) / seen };
  });
  const f1s = perClass.flatMap((entry) => (entry.f1 === null ? [] : [entry.f1]));
  return {
    task: 'multiclass',
    outcomes: outcomes.length,
    accuracy: correct / outcomes.length,
    macro_f1: f1s.reduce((sum, f1) => sum + f1, 0) / f1s.length,
    reference_accuracy: reference.accuracy,
    reference_macro_f1: reference.macroF1,
    classes: perClass,
  };
}

/** How a regression model does on the predictions whose true value was reported, in the target's unit. */
export interface RegressionLivePerformance {
  task: 'regression';
  outcomes: number;
  rmse: number;
  mae: number;
  /** Mean of observed − predicted: above 0, the model predicts too low on average. */
  mean_residual: number;
  /** The held-out figures from the manifest, to compare against. */
  reference_rmse: number;
  reference_mae: number;
}

/** A predicted value with the value reported for it. */
export interface ValueOutcome {
  value: number;
  observedValue: number;
}

export function regressionLivePerformance(
  outcomes: readonly ValueOutcome[],
  reference: { rmse: number; mae: number },
): RegressionLivePerformance | null {
  const n = outcomes.length;
  if (n === 0) return null;
  let squared = 0;
  let absolute = 0;
  let residuals = 0;
  for (const { value, observedValue } of outcomes) {
    const residual = observedValue - value;
    squared += residual * residual;
    absolute += Math.abs(residual);
    residuals += residual;
  }
  return {
    task: 'regression',
    outcomes: n,
    rmse: Math.sqrt(squared / n),
    mae: absolute / n,
    mean_residual: residuals / n,
    reference_rmse: reference.rmse,
    reference_mae: reference.mae,
  };
}

export type LivePerformance = BinaryLivePerformance | MulticlassLivePerformance | RegressionLivePerformance;
