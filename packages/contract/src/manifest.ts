import { z } from 'zod';
import {
  type CategoricalFeatureSpec,
  CategoricalFeatureSpecSchema,
  FeatureSpecSchema,
  isCategorical,
  NumericFeatureSpecSchema,
  ReferenceDistributionSchema,
} from './feature.ts';
import {
  BinaryMetricsSchema,
  MulticlassMetricsSchema,
  PRIMARY_METRICS,
  RegressionMetricsSchema,
} from './metrics.ts';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex sha256');

export const ModelNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'a model name is lowercase letters, digits and dashes');
export const ModelVersionSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a version is letters, digits, dots, dashes');

export const TASKS = ['binary', 'multiclass', 'regression'] as const;
export type Task = (typeof TASKS)[number];

export const ALGORITHM_NAMES = ['logreg', 'ridge', 'gbt', 'blend'] as const;
export type AlgorithmName = (typeof ALGORITHM_NAMES)[number];
const hyperparameters = z.record(z.string(), z.union([z.number(), z.string(), z.boolean()]));

const AlgorithmSchema = z.object({
  name: z.enum(ALGORITHM_NAMES),
  hyperparameters,
  /** How `auto` chose, when it did: the mean CV primary metric (see `metrics.primary`) per candidate. */
  candidates: z.record(z.string(), z.number()).optional(),
  /**
   * A blend's parts: the models inside the same graph whose probabilities (or values) are averaged with these
   * weights, which sum to 1 and were chosen on out-of-fold predictions.
   */
  components: z
    .array(
      z.object({
        name: z.enum(['logreg', 'ridge', 'gbt']),
        weight: z.number().min(0).max(1),
        hyperparameters,
      }),
    )
    .optional(),
});

/** The feature metadata a training run used, as a schema file holds it: everything but the name, by name. */
const SchemaFileFeaturesSchema = z.record(
  z.string(),
  z.discriminatedUnion('dtype', [
    NumericFeatureSpecSchema.omit({ name: true }),
    CategoricalFeatureSpecSchema.omit({ name: true }),
  ]),
);

/**
 * Every choice the model was trained with, so that `glyco train` (or a retrain) with the same data and the same
 * trainer version (`trainer`) gives the same model byte for byte. The data is named by file and sha256.
 */
export const TrainingOptionsSchema = z.object({
  data: z.object({ file: z.string(), sha256 }),
  task: z.enum(TASKS),
  /** Whether `task` was inferred from the target column (false: given with --task). */
  taskInferred: z.boolean(),
  target: z.string(),
  /** Binary only: the class whose probability the model gives. */
  positive: z.string().optional(),
  /** What was asked for (`auto` or one algorithm); what was chosen is `algorithm`. */
  algorithm: z.enum(['auto', ...ALGORITHM_NAMES]),
  folds: z.number().int().min(2),
  seed: z.number().int().nonnegative(),
  classWeight: z.enum(['none', 'balanced']),
  /** The feature metadata used, declared or inferred, in the schema file's shape. */
  schema: z.object({
    features: SchemaFileFeaturesSchema,
    target: z.object({ description: z.string(), unit: z.string().nullable() }).optional(),
  }),
  /** Features whose metadata was inferred from the data because no schema declared them. */
  inferredFeatures: z.array(z.string()),
});
export type TrainingOptions = z.infer<typeof TrainingOptionsSchema>;

/**
 * Where a retrained version came from (`glyco retrain`; a version made by `glyco train` has none): the run that
 * made it, the version it challenged, and the data it was trained on and judged on, by sha256 and row count.
 */
export const LineageSchema = z.object({
  /** The run record `<name>/runs/<runId>.json` in the registry. */
  runId: z.string().min(1),
  /** The champion: the version the alias served when the retrain began. */
  parent: z.object({ version: ModelVersionSchema, alias: z.string() }),
  /**
   * `base`: the base training data (the champion's dataset, or --data); `logged`: the older labelled rows of the
   * prediction log, trained on; `evaluation`: the most recent labelled rows, never trained on, on which the
   * champion and this version were compared. The training data file is `base` followed by `logged`.
   */
  data: z.array(
    z.object({
      role: z.enum(['base', 'logged', 'evaluation']),
      sha256,
      rows: z.number().int().nonnegative(),
    }),
  ),
});
export type Lineage = z.infer<typeof LineageSchema>;

/**
 * How the ONNX graph is fed: `input`, float `[N, F]`, holds the numeric features in manifest order (categorical
 * ones skipped; `[N, 0]` when there are none), NaN for missing; `categoricalInput`, string `[N, C]`, holds the
 * categorical features in manifest order, `""` for missing. It is absent when the model has no categorical feature.
 */
const onnxBase = {
  file: z.literal('model.onnx'),
  sha256,
  input: z.object({ name: z.string(), dtype: z.enum(['float32', 'float64']) }),
  categoricalInput: z.object({ name: z.string(), dtype: z.literal('string') }).optional(),
  opsets: z.record(z.string(), z.number().int()),
};
const classifierOutputs = z.object({ label: z.string(), probabilities: z.string() });

const common = {
  name: ModelNameSchema,
  version: ModelVersionSchema,
  createdAt: z.iso.datetime(),
  trainer: z.object({ name: z.string(), version: z.string() }),
  algorithm: AlgorithmSchema,
  features: z.array(FeatureSpecSchema).min(1),
  trainingTimeMs: z.number().nonnegative(),
  reference: z.array(ReferenceDistributionSchema),
  lineage: LineageSchema.optional(),
};
const trainingDataBase = { file: z.string(), sha256, rows: z.number().int().positive() };

/**
 * A binary classifier. Outputs `label` int64 `[N]` (index into `target.classLabels`) and `probabilities` float
 * `[N, 2]` (negative, positive). Schema version 1 is the manifest written before multiclass and regression
 * existed; it still loads, without `trainingOptions`.
 */
export const BinaryModelManifestSchema = z.object({
  schemaVersion: z.union([z.literal(1), z.literal(2)]),
  task: z.literal('binary'),
  ...common,
  target: z.object({
    name: z.string(),
    /** Index 0 is the negative class, index 1 the positive one; the ONNX label output indexes this array. */
    classLabels: z.tuple([z.string(), z.string()]),
  }),
  /** Probability of the positive class at or above which a prediction is "medium" or "high" risk. */
  riskThresholds: z.object({ medium: z.number().min(0).max(1), high: z.number().min(0).max(1) }),
  onnx: z.object({ ...onnxBase, outputs: classifierOutputs }),
  metrics: BinaryMetricsSchema,
  trainingData: z.object({ ...trainingDataBase, positives: z.number().int().nonnegative() }),
  trainingOptions: TrainingOptionsSchema.optional(),
});
export type BinaryModelManifest = z.infer<typeof BinaryModelManifestSchema>;

/**
 * A classifier over K ≥ 2 classes (one softmax). Outputs `label` int64 `[N]` (index into `target.classLabels`)
 * and `probabilities` float `[N, K]`, whose columns are the classes in `target.classLabels` order and sum to 1.
 */
export const MulticlassModelManifestSchema = z.object({
  schemaVersion: z.literal(2),
  task: z.literal('multiclass'),
  ...common,
  target: z.object({ name: z.string(), classLabels: z.array(z.string().min(1)).min(2) }),
  onnx: z.object({ ...onnxBase, outputs: classifierOutputs }),
  metrics: MulticlassMetricsSchema,
  /** Training rows per class, in `target.classLabels` order. */
  trainingData: z.object({ ...trainingDataBase, classCounts: z.array(z.number().int().nonnegative()) }),
  trainingOptions: TrainingOptionsSchema,
});
export type MulticlassModelManifest = z.infer<typeof MulticlassModelManifestSchema>;

/**
 * A regression model. Output `value` float64 `[N, 1]`: the predicted target in `target.unit`.
 * `predictionInterval` turns it into a range: [value + residualLow, value + residualHigh] held the true value
 * for `coverage` of the out-of-fold predictions (their residual quantiles; approximate for a new row).
 */
export const RegressionModelManifestSchema = z.object({
  schemaVersion: z.literal(2),
  task: z.literal('regression'),
  ...common,
  target: z.object({ name: z.string(), description: z.string(), unit: z.string().nullable() }),
  onnx: z.object({ ...onnxBase, outputs: z.object({ value: z.string() }) }),
  metrics: RegressionMetricsSchema,
  predictionInterval: z.object({
    coverage: z.number().gt(0).lt(1),
    residualLow: z.number(),
    residualHigh: z.number(),
  }),
  trainingData: z.object({
    ...trainingDataBase,
    /** The target in the training rows, for the plots' axes and a sanity check of served values. */
    targetSummary: z.object({ min: z.number(), max: z.number(), mean: z.number(), sd: z.number() }),
  }),
  trainingOptions: TrainingOptionsSchema,
});
export type RegressionModelManifest = z.infer<typeof RegressionModelManifestSchema>;

export const ModelManifestSchema = z.discriminatedUnion('task', [
  BinaryModelManifestSchema,
  MulticlassModelManifestSchema,
  RegressionModelManifestSchema,
]);
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
  const problem = consistencyProblem(manifest);
  if (problem) throw new ManifestError(`invalid manifest: ${problem}`);
  return manifest;
}

/** What the schema alone cannot say: relations between fields. */
function consistencyProblem(manifest: ModelManifest): string | undefined {
  const names = manifest.features.map((feature) => feature.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) return `features: duplicate feature "${duplicate}"`;
  for (const feature of manifest.features) {
    if (isCategorical(feature)) {
      const problem = categoriesProblem(feature);
      if (problem) return problem;
    } else if (feature.min > feature.max) {
      return `features.${feature.name}: min ${feature.min} > max ${feature.max}`;
    }
  }
  const categorical = manifest.features.some(isCategorical);
  if (categorical !== (manifest.onnx.categoricalInput !== undefined)) {
    return categorical
      ? 'onnx.categoricalInput: required when a feature is categorical'
      : 'onnx.categoricalInput: only for models with categorical features';
  }
  if (manifest.schemaVersion === 1 && categorical)
    return 'features: schema version 1 has no categorical features';
  if (manifest.schemaVersion === 2 && !manifest.trainingOptions) return 'trainingOptions: required';
  if (manifest.trainingOptions) {
    const { trainingOptions: options, trainingData } = manifest;
    if (options.task !== manifest.task)
      return `trainingOptions.task: "${options.task}", but the task is "${manifest.task}"`;
    if (options.data.sha256 !== trainingData.sha256)
      return 'trainingOptions.data.sha256: differs from trainingData.sha256';
  }
  const primary = manifest.metrics.primary;
  const expected = PRIMARY_METRICS[manifest.task];
  if (primary && (primary.metric !== expected.metric || primary.direction !== expected.direction)) {
    return `metrics.primary: a ${manifest.task} model is compared on ${expected.metric} (${expected.direction} is better)`;
  }
  if (manifest.task === 'binary' && manifest.riskThresholds.medium > manifest.riskThresholds.high) {
    return 'riskThresholds: medium must not exceed high';
  }
  if (manifest.task === 'multiclass') {
    const labels = manifest.target.classLabels;
    const repeated = labels.find((label, index) => labels.indexOf(label) !== index);
    if (repeated) return `target.classLabels: duplicate class "${repeated}"`;
    if (manifest.trainingData.classCounts.length !== labels.length) {
      return 'trainingData.classCounts: one count per class label';
    }
    const matrix = manifest.metrics.heldOut.confusionMatrix;
    if (matrix.length !== labels.length || matrix.some((row) => row.length !== labels.length)) {
      return `metrics.heldOut.confusionMatrix: must be ${labels.length}×${labels.length}`;
    }
  }
  if (manifest.task === 'regression') {
    const { residualLow, residualHigh } = manifest.predictionInterval;
    if (residualLow > residualHigh) return 'predictionInterval: residualLow must not exceed residualHigh';
  }
  return undefined;
}

function categoriesProblem(feature: CategoricalFeatureSpec): string | undefined {
  const seen = new Set<string>();
  for (const category of feature.categories) {
    if (seen.has(category)) return `features.${feature.name}: duplicate category "${category}"`;
    seen.add(category);
  }
  return undefined;
}
