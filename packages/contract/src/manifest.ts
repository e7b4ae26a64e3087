import { z } from 'zod';
import { FeatureSpecSchema, ReferenceDistributionSchema } from './feature.ts';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex sha256');
const meanSd = z.object({ mean: z.number(), sd: z.number(), perFold: z.array(z.number()) });

export const ConfusionMatrixSchema = z.object({
  tp: z.number().int().nonnegative(),
  fp: z.number().int().nonnegative(),
  tn: z.number().int().nonnegative(),
  fn: z.number().int().nonnegative(),
});
export type ConfusionMatrix = z.infer<typeof ConfusionMatrixSchema>;

/** Metrics at one decision threshold over one set of predictions. */
export const ClassificationMetricsSchema = z.object({
  rocAuc: z.number().min(0).max(1),
  accuracy: z.number().min(0).max(1),
  f1: z.number().min(0).max(1),
  brier: z.number().min(0).max(1),
  confusionMatrix: ConfusionMatrixSchema,
});
export type ClassificationMetrics = z.infer<typeof ClassificationMetricsSchema>;

export const MetricsSchema = z.object({
  threshold: z.number().min(0).max(1),
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
export type Metrics = z.infer<typeof MetricsSchema>;

export const ModelManifestSchema = z.object({
  schemaVersion: z.literal(1),
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a model name is lowercase letters, digits and dashes'),
  version: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a version is letters, digits, dots, dashes'),
  task: z.literal('binary'),
  createdAt: z.iso.datetime(),
  trainer: z.object({ name: z.string(), version: z.string() }),
  algorithm: z.object({
    name: z.enum(['logreg', 'gbt']),
    hyperparameters: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
    /** How `auto` chose, when it did: mean CV ROC AUC per candidate. */
    candidates: z.record(z.string(), z.number()).optional(),
  }),
  features: z.array(FeatureSpecSchema).min(1),
  target: z.object({
    name: z.string(),
    /** Index 0 is the negative class, index 1 the positive one; the ONNX label output indexes this array. */
    classLabels: z.tuple([z.string(), z.string()]),
  }),
  /** Probability of the positive class at or above which a prediction is "medium" or "high" risk. */
  riskThresholds: z.object({ medium: z.number().min(0).max(1), high: z.number().min(0).max(1) }),
  onnx: z.object({
    file: z.literal('model.onnx'),
    sha256,
    input: z.object({ name: z.string(), dtype: z.enum(['float32', 'float64']) }),
    outputs: z.object({ label: z.string(), probabilities: z.string() }),
    opsets: z.record(z.string(), z.number().int()),
  }),
  metrics: MetricsSchema,
  trainingData: z.object({
    file: z.string(),
    sha256,
    rows: z.number().int().positive(),
    positives: z.number().int().nonnegative(),
  }),
  trainingTimeMs: z.number().nonnegative(),
  reference: z.array(ReferenceDistributionSchema),
});
export type ModelManifest = z.infer<typeof ModelManifestSchema>;

export class ManifestError extends Error {
  override name = 'ManifestError';
}

/** Validates an unknown value (parsed JSON) as a manifest; the error names every offending path. */
export function parseManifest(value: unknown): ModelManifest {
  const result = ModelManifestSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new ManifestError(`invalid manifest: ${problems.join('; ')}`);
  }
  const manifest = result.data;
  const names = manifest.features.map((feature) => feature.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) throw new ManifestError(`invalid manifest: features: duplicate feature "${duplicate}"`);
  for (const feature of manifest.features) {
    if (feature.min > feature.max) {
      throw new ManifestError(
        `invalid manifest: features.${feature.name}: min ${feature.min} > max ${feature.max}`,
      );
    }
  }
  if (manifest.riskThresholds.medium > manifest.riskThresholds.high) {
    throw new ManifestError('invalid manifest: riskThresholds: medium must not exceed high');
  }
  return manifest;
}
