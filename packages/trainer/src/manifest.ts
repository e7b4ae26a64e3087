import {
  type BinaryModelManifest,
  type ClassificationMetrics,
  type FeatureSpec,
  type Lineage,
  type ModelManifest,
  type MulticlassEvaluation,
  type MulticlassModelManifest,
  ONNX_CATEGORICAL_INPUT,
  ONNX_INPUT,
  ONNX_OUTPUT_LABEL,
  ONNX_OUTPUT_PROBABILITIES,
  ONNX_OUTPUT_VALUE,
  PRIMARY_METRICS,
  type RegressionEvaluation,
  type RegressionModelManifest,
  sha256Hex,
  type Task,
  type TrainingOptions,
} from '@glyco/contract';
import type { Dataset } from './dataset.ts';
import { DECISION_THRESHOLD, evaluate, type FoldEvaluation } from './evaluation.ts';
import { meanSd } from './metrics.ts';
import { OPSETS } from './onnx/export.ts';
import { allRows } from './preprocessing.ts';
import { seededRandom, shuffled } from './random.ts';
import { quantile, referenceDistributions } from './reference.ts';
import type { TrainedModel } from './trained-model.ts';
import type { AlgorithmChoice, TrainingResult } from './training.ts';

/**
 * Risk bands on the probability of the positive class. About a third of the Pima rows are positive: below 0.3 a
 * row is less likely than the base rate (low), from 0.6 a positive is the more likely outcome by a clear margin (high).
 */
export const RISK_THRESHOLDS = { medium: 0.3, high: 0.6 };
/** The out-of-fold residual percentiles a regression model's prediction interval spans: 90% of them. */
export const INTERVAL_PERCENTILES = [5, 95] as const;
/** Out-of-fold (actual, predicted) pairs a regression manifest keeps for its plots. */
export const PLOT_POINTS = 500;

export type ManifestInputs = {
  dataset: Dataset;
  result: TrainingResult;
  onnx: Uint8Array;
  trainer: { name: string; version: string };
  options: {
    name: string;
    version: string;
    algorithm: AlgorithmChoice;
    folds: number;
    seed: number;
    classWeight: 'none' | 'balanced';
  };
  data: { file: string; sha256: string };
  createdAt: string;
  trainingTimeMs: number;
  /** A retrained model's origin; absent for `glyco train`. */
  lineage?: Lineage | undefined;
};

export function buildManifest(inputs: ManifestInputs): ModelManifest {
  switch (inputs.dataset.task) {
    case 'binary':
      return binaryManifest(inputs);
    case 'multiclass':
      return multiclassManifest(inputs);
    case 'regression':
      return regressionManifest(inputs);
  }
}

/** What every task's manifest holds alike. */
function common(inputs: ManifestInputs) {
  const { dataset, result, options } = inputs;
  const { model, candidates } = result;
  return {
    schemaVersion: 2 as const,
    name: options.name,
    version: options.version,
    createdAt: inputs.createdAt,
    trainer: inputs.trainer,
    algorithm: {
      name: model.algorithm,
      hyperparameters: hyperparameters(model),
      ...(candidates && { candidates }),
      ...(model.components.length > 1 && {
        components: model.components.map(({ head, weight, hyperparameters }) => ({
          name: head.algorithm,
          weight,
          hyperparameters,
        })),
      }),
    },
    features: dataset.features,
    trainingTimeMs: Math.round(inputs.trainingTimeMs),
    reference: referenceDistributions(dataset),
    trainingOptions: trainingOptions(inputs),
    ...(inputs.lineage && { lineage: inputs.lineage }),
  };
}

/** A blend's hyperparameters flattened for people: each component's under its name, with its weight. */
function hyperparameters(model: TrainedModel): Record<string, number | string | boolean> {
  if (model.components.length === 1) return model.components[0]!.hyperparameters;
  return Object.fromEntries(
    model.components.flatMap(({ head, weight, hyperparameters }) => [
      [`${head.algorithm}.weight`, weight],
      ...Object.entries(hyperparameters).map(([key, value]) => [`${head.algorithm}.${key}`, value] as const),
    ]),
  );
}

function onnxSection(inputs: ManifestInputs) {
  return {
    file: 'model.onnx' as const,
    sha256: sha256Hex(inputs.onnx),
    input: { name: ONNX_INPUT, dtype: 'float32' as const },
    ...(inputs.dataset.features.some((feature) => feature.dtype === 'category') && {
      categoricalInput: { name: ONNX_CATEGORICAL_INPUT, dtype: 'string' as const },
    }),
    opsets: { ...OPSETS },
  };
}

function trainingOptions(inputs: ManifestInputs): TrainingOptions {
  const { dataset, options } = inputs;
  const features = Object.fromEntries(
    dataset.features.map(({ name, ...metadata }: FeatureSpec) => [name, metadata]),
  );
  const describedTarget = dataset.target.description !== dataset.target.name || dataset.target.unit !== null;
  return {
    data: inputs.data,
    task: dataset.task,
    taskInferred: dataset.taskInferred,
    target: dataset.target.name,
    ...(dataset.task === 'binary' && { positive: dataset.target.classLabels[1]! }),
    algorithm: options.algorithm,
    folds: options.folds,
    seed: options.seed,
    classWeight: options.classWeight,
    schema: {
      features,
      ...(describedTarget && {
        target: { description: dataset.target.description, unit: dataset.target.unit },
      }),
    },
    inferredFeatures: dataset.inferredFeatures,
  };
}

function crossValidationSummary<K extends string>(
  inputs: ManifestInputs,
  keys: readonly K[],
): { folds: number; seed: number } & Record<K, ReturnType<typeof meanSd>> {
  const summary = {} as Record<K, ReturnType<typeof meanSd>>;
  for (const key of keys) {
    summary[key] = meanSd(
      inputs.result.crossValidation.perFold.map((fold) => (fold as Record<K, number>)[key]),
    );
  }
  return { folds: inputs.options.folds, seed: inputs.options.seed, ...summary };
}

/** The metric a gate compares for the task, and its direction. */
function primaryOf(task: Task): { metric: string; direction: 'higher' | 'lower' } {
  const { metric, direction } = PRIMARY_METRICS[task];
  return { metric, direction };
}

/** The task's metrics of the pooled out-of-fold predictions: every row scored by a model that never saw it. */
function heldOutEvaluation(inputs: ManifestInputs): FoldEvaluation {
  return evaluate(inputs.dataset, inputs.result.crossValidation.outputs, allRows(inputs.dataset.rows));
}

/** The task's metrics of the refitted model on its own training rows (optimistic; for reference only). */
function trainingEvaluation(inputs: ManifestInputs): FoldEvaluation {
  const { dataset, result } = inputs;
  return evaluate(dataset, result.outputs, allRows(dataset.rows));
}

function binaryManifest(inputs: ManifestInputs): BinaryModelManifest {
  const { dataset } = inputs;
  const [negative, positive] = dataset.target.classLabels as [string, string];
  let positives = 0;
  for (const label of dataset.y) positives += label;
  return {
    task: 'binary',
    ...common(inputs),
    target: { name: dataset.target.name, classLabels: [negative, positive] },
    riskThresholds: RISK_THRESHOLDS,
    onnx: {
      ...onnxSection(inputs),
      outputs: { label: ONNX_OUTPUT_LABEL, probabilities: ONNX_OUTPUT_PROBABILITIES },
    },
    metrics: {
      primary: primaryOf('binary'),
      threshold: DECISION_THRESHOLD,
      crossValidation: crossValidationSummary(inputs, ['rocAuc', 'accuracy', 'f1', 'brier'] as const),
      heldOut: heldOutEvaluation(inputs) as ClassificationMetrics,
      training: trainingEvaluation(inputs) as ClassificationMetrics,
    },
    trainingData: { ...inputs.data, rows: dataset.rows, positives },
  };
}

function multiclassManifest(inputs: ManifestInputs): MulticlassModelManifest {
  const { dataset } = inputs;
  const classCounts = new Array<number>(dataset.target.classLabels.length).fill(0);
  for (const label of dataset.y) classCounts[label]!++;
  return {
    task: 'multiclass',
    ...common(inputs),
    target: { name: dataset.target.name, classLabels: dataset.target.classLabels },
    onnx: {
      ...onnxSection(inputs),
      outputs: { label: ONNX_OUTPUT_LABEL, probabilities: ONNX_OUTPUT_PROBABILITIES },
    },
    metrics: {
      primary: primaryOf('multiclass'),
      crossValidation: crossValidationSummary(inputs, ['rocAuc', 'accuracy', 'macroF1', 'logLoss'] as const),
      heldOut: heldOutEvaluation(inputs) as MulticlassEvaluation,
      training: trainingEvaluation(inputs) as MulticlassEvaluation,
    },
    trainingData: { ...inputs.data, rows: dataset.rows, classCounts },
  };
}

function regressionManifest(inputs: ManifestInputs): RegressionModelManifest {
  const { dataset, result, options } = inputs;
  const predicted = result.crossValidation.outputs;
  const residuals = Float64Array.from(dataset.y, (actual, row) => actual - predicted[row]!).sort();
  const plotted =
    dataset.rows <= PLOT_POINTS
      ? Array.from(allRows(dataset.rows))
      : shuffled(Array.from(allRows(dataset.rows)), seededRandom(options.seed))
          .slice(0, PLOT_POINTS)
          .sort((a, b) => a - b);
  const values = meanSd(Array.from(dataset.y));
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const value of dataset.y) {
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  return {
    task: 'regression',
    ...common(inputs),
    target: { name: dataset.target.name, description: dataset.target.description, unit: dataset.target.unit },
    onnx: { ...onnxSection(inputs), outputs: { value: ONNX_OUTPUT_VALUE } },
    metrics: {
      primary: primaryOf('regression'),
      crossValidation: crossValidationSummary(inputs, ['rmse', 'r2', 'mae'] as const),
      heldOut: {
        ...(heldOutEvaluation(inputs) as RegressionEvaluation),
        plot: {
          actual: plotted.map((row) => dataset.y[row]!),
          predicted: plotted.map((row) => predicted[row]!),
        },
      },
      training: trainingEvaluation(inputs) as RegressionEvaluation,
    },
    predictionInterval: {
      coverage: (INTERVAL_PERCENTILES[1] - INTERVAL_PERCENTILES[0]) / 100,
      residualLow: quantile(residuals, INTERVAL_PERCENTILES[0], 100),
      residualHigh: quantile(residuals, INTERVAL_PERCENTILES[1], 100),
    },
    trainingData: {
      ...inputs.data,
      rows: dataset.rows,
      targetSummary: { min, max, mean: values.mean, sd: values.sd },
    },
  };
}
