import { z } from 'zod';

/** A metric over the cross-validation folds: its mean, sample standard deviation and value per fold. */
const meanSd = z.object({ mean: z.number(), sd: z.number(), perFold: z.array(z.number()) });
const share = z.number().min(0).max(1);
const count = z.number().int().nonnegative();

/**
 * The metric that ranks two models of a task (what `auto` maximises and a promote gate compares): ROC AUC for
 * binary, macro one-vs-rest ROC AUC for multiclass, RMSE for regression.
 */
export const PRIMARY_METRICS = {
  binary: { metric: 'rocAuc', direction: 'higher', label: 'ROC AUC' },
  multiclass: { metric: 'rocAuc', direction: 'higher', label: 'macro ROC AUC' },
  regression: { metric: 'rmse', direction: 'lower', label: 'RMSE' },
} as const;
export type MetricDirection = 'higher' | 'lower';

const PrimarySchema = z.object({ metric: z.string(), direction: z.enum(['higher', 'lower']) });

export const ConfusionMatrixSchema = z.object({ tp: count, fp: count, tn: count, fn: count });
export type ConfusionMatrix = z.infer<typeof ConfusionMatrixSchema>;

/** Binary metrics at one decision threshold over one set of predictions. */
export const ClassificationMetricsSchema = z.object({
  rocAuc: share,
  accuracy: share,
  f1: share,
  brier: share,
  confusionMatrix: ConfusionMatrixSchema,
});
export type ClassificationMetrics = z.infer<typeof ClassificationMetricsSchema>;

export const BinaryMetricsSchema = z.object({
  /** Absent in schema version 1 manifests, where it is ROC AUC all the same. */
  primary: PrimarySchema.optional(),
  threshold: share,
  crossValidation: z.object({
    folds: z.number().int().min(2),
    seed: z.number().int(),
    rocAuc: meanSd,
    accuracy: meanSd,
    f1: meanSd,
    brier: meanSd,
  }),
  /** Pooled out-of-fold predictions: every row scored by a model that never saw it. */
  heldOut: ClassificationMetricsSchema,
  /** The final model, refitted on all rows, scored on those same rows (optimistic; for reference only). */
  training: ClassificationMetricsSchema,
});
export type BinaryMetrics = z.infer<typeof BinaryMetricsSchema>;

/** One class against the rest. */
export const ClassMetricsSchema = z.object({
  label: z.string(),
  /** Rows of this class. */
  support: count,
  precision: share,
  recall: share,
  f1: share,
  rocAuc: share,
});
export type ClassMetrics = z.infer<typeof ClassMetricsSchema>;

/** Multiclass metrics over one set of predictions; the label is the most probable class. */
export const MulticlassEvaluationSchema = z.object({
  /** Macro average of the one-vs-rest ROC AUCs: each class counts the same, however rare. */
  rocAuc: share,
  accuracy: share,
  /** Macro average of the per-class F1 scores. */
  macroF1: share,
  /** Mean negative log-likelihood of the true class (natural log). */
  logLoss: z.number().nonnegative(),
  /** K×K counts: row = actual class, column = predicted class, both in `target.classLabels` order. */
  confusionMatrix: z.array(z.array(count)),
  perClass: z.array(ClassMetricsSchema),
});
export type MulticlassEvaluation = z.infer<typeof MulticlassEvaluationSchema>;

export const MulticlassMetricsSchema = z.object({
  primary: PrimarySchema,
  crossValidation: z.object({
    folds: z.number().int().min(2),
    seed: z.number().int(),
    rocAuc: meanSd,
    accuracy: meanSd,
    macroF1: meanSd,
    logLoss: meanSd,
  }),
  heldOut: MulticlassEvaluationSchema,
  training: MulticlassEvaluationSchema,
});
export type MulticlassMetrics = z.infer<typeof MulticlassMetricsSchema>;

/** Regression metrics over one set of predictions, in the target's unit (R² has none). */
export const RegressionEvaluationSchema = z.object({
  rmse: z.number().nonnegative(),
  r2: z.number().max(1),
  mae: z.number().nonnegative(),
});
export type RegressionEvaluation = z.infer<typeof RegressionEvaluationSchema>;

export const RegressionMetricsSchema = z.object({
  primary: PrimarySchema,
  crossValidation: z.object({
    folds: z.number().int().min(2),
    seed: z.number().int(),
    rmse: meanSd,
    r2: meanSd,
    mae: meanSd,
  }),
  heldOut: RegressionEvaluationSchema.extend({
    /**
     * Out-of-fold pairs for the predicted-versus-actual and residual plots (residual = actual − predicted): every
     * row when there are at most 500, else a seeded sample of 500, in data order.
     */
    plot: z
      .object({ actual: z.array(z.number()), predicted: z.array(z.number()) })
      .refine((plot) => plot.actual.length === plot.predicted.length, 'actual and predicted pair up'),
  }),
  training: RegressionEvaluationSchema,
});
export type RegressionMetrics = z.infer<typeof RegressionMetricsSchema>;
