import type { ModelManifest } from './manifest.ts';
import { type MetricDirection, PRIMARY_METRICS } from './metrics.ts';

export type PrimaryMetric = {
  /** The metric's key in `metrics.crossValidation` and `metrics.heldOut`. */
  metric: string;
  /** For people: "macro ROC AUC", "RMSE". */
  label: string;
  direction: MetricDirection;
  /** Over the cross-validation folds; the mean is what two models are compared on. */
  crossValidated: { mean: number; sd: number; perFold: number[] };
  /** Over the pooled out-of-fold predictions. */
  heldOut: number;
};

/** The task's primary metric of a model (schema version 1 manifests included), for gates and listings. */
export function primaryMetric(manifest: ModelManifest): PrimaryMetric {
  const { metric, label, direction } = PRIMARY_METRICS[manifest.task];
  return { metric, label, direction, ...primaryValues(manifest) };
}

function primaryValues(manifest: ModelManifest): Pick<PrimaryMetric, 'crossValidated' | 'heldOut'> {
  if (manifest.task === 'regression') {
    return { crossValidated: manifest.metrics.crossValidation.rmse, heldOut: manifest.metrics.heldOut.rmse };
  }
  return {
    crossValidated: manifest.metrics.crossValidation.rocAuc,
    heldOut: manifest.metrics.heldOut.rocAuc,
  };
}

/** Whether `candidate` scores worse than `baseline` on the primary metric (a tie is not worse). */
export function isWorse(candidate: number, baseline: number, direction: MetricDirection): boolean {
  return direction === 'higher' ? candidate < baseline : candidate > baseline;
}
