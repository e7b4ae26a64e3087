/** A logged prediction with the outcome reported for it. */
export interface Outcome {
  probability: number;
  prediction: number;
  outcome: 0 | 1;
}

/** How the model does on the predictions whose outcome was reported. */
export interface LivePerformance {
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
): LivePerformance | null {
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
