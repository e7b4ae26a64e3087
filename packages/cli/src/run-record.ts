import { type ModelManifest, primaryMetric, type TrainingOptions } from '@glyco/contract';
import type { RunRecord } from '@glyco/registry';

/** A model's training options as a run's flat parameters (the feature metadata is the data's, not a parameter). */
export function trainingParameters(options: TrainingOptions): RunRecord['parameters'] {
  return {
    task: options.task,
    target: options.target,
    positive: options.positive ?? null,
    algorithm: options.algorithm,
    folds: options.folds,
    seed: options.seed,
    classWeight: options.classWeight,
  };
}

/** The trained model's cross-validated primary metric, as a run records it. */
export function crossValidation(
  manifest: ModelManifest,
): NonNullable<RunRecord['metrics']['crossValidation']> {
  const { metric, label, direction, crossValidated } = primaryMetric(manifest);
  return { metric, label, direction, ...crossValidated };
}
