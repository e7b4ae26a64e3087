import type {
  BinaryModelManifest,
  MulticlassModelManifest,
  RegressionModelManifest,
  TrainingOptions,
} from '../src/index.ts';

const metrics = {
  rocAuc: 0.84,
  accuracy: 0.77,
  f1: 0.64,
  brier: 0.16,
  confusionMatrix: { tp: 160, fp: 70, tn: 430, fn: 108 },
};
const spread = { mean: 0.84, sd: 0.02, perFold: [0.82, 0.83, 0.84, 0.85, 0.86] };
const glucoseMetadata = {
  description: 'Plasma glucose, 2 h oral glucose tolerance test',
  unit: 'mg/dL',
  dtype: 'float',
  nullable: true,
  min: 1,
  max: 400,
  zeroMeansMissing: true,
} as const;
const glucose = { name: 'glucose', ...glucoseMetadata };
const glucoseReference = {
  feature: 'glucose',
  edges: [0, 100, 400],
  proportions: [0.5, 0.5],
  quantiles: Array.from({ length: 101 }, (_, i) => 44 + i),
  missingRate: 0.01,
  count: 763,
};
const onnx = {
  file: 'model.onnx',
  sha256: 'a'.repeat(64),
  input: { name: 'features', dtype: 'float32' },
  outputs: { label: 'label', probabilities: 'probabilities' },
  opsets: { '': 17, 'ai.onnx.ml': 3 },
} as const;

/** A small but complete manifest as the first trainer wrote it (schema version 1); each test breaks its own copy. */
export function validManifest(): BinaryModelManifest {
  return {
    schemaVersion: 1,
    name: 'pima-diabetes',
    version: '1.0.0',
    task: 'binary',
    createdAt: '2026-11-23T08:00:00.000Z',
    trainer: { name: '@glyco/trainer', version: '0.1.0' },
    algorithm: { name: 'logreg', hyperparameters: { l2: 1 } },
    features: [{ ...glucose }],
    target: { name: 'diabetes', classLabels: ['neg', 'pos'] },
    riskThresholds: { medium: 0.3, high: 0.6 },
    onnx: { ...onnx, input: { ...onnx.input }, outputs: { ...onnx.outputs } },
    metrics: {
      threshold: 0.5,
      crossValidation: { folds: 5, seed: 42, rocAuc: spread, accuracy: spread, f1: spread, brier: spread },
      heldOut: metrics,
      training: metrics,
    },
    trainingData: { file: 'pima-indians-diabetes.csv', sha256: 'b'.repeat(64), rows: 768, positives: 268 },
    trainingTimeMs: 1200,
    reference: [{ ...glucoseReference }],
  };
}

function trainingOptions(task: TrainingOptions['task'], target: string): TrainingOptions {
  return {
    data: { file: 'data.csv', sha256: 'b'.repeat(64) },
    task,
    taskInferred: true,
    target,
    algorithm: 'auto',
    folds: 5,
    seed: 42,
    classWeight: 'none',
    schema: { features: { glucose: { ...glucoseMetadata } } },
    inferredFeatures: [],
  };
}

/** A schema version 2 binary manifest, with the record of how it was trained. */
export function binaryV2Manifest(): BinaryModelManifest {
  const manifest = validManifest();
  return {
    ...manifest,
    schemaVersion: 2,
    metrics: { ...manifest.metrics, primary: { metric: 'rocAuc', direction: 'higher' } },
    trainingOptions: { ...trainingOptions('binary', 'diabetes'), positive: 'pos' },
  };
}

const multiclassEvaluation = {
  rocAuc: 0.99,
  accuracy: 0.96,
  macroF1: 0.96,
  logLoss: 0.12,
  confusionMatrix: [
    [50, 0, 0],
    [0, 47, 3],
    [0, 3, 47],
  ],
  perClass: ['setosa', 'versicolor', 'virginica'].map((label) => ({
    label,
    support: 50,
    precision: 0.96,
    recall: 0.96,
    f1: 0.96,
    rocAuc: 0.99,
  })),
};

/** A three-class manifest with a categorical feature. */
export function multiclassManifest(): MulticlassModelManifest {
  return {
    schemaVersion: 2,
    name: 'iris',
    version: '1.0.0',
    task: 'multiclass',
    createdAt: '2026-11-23T08:00:00.000Z',
    trainer: { name: '@glyco/trainer', version: '0.2.0' },
    algorithm: { name: 'logreg', hyperparameters: { l2: 1 } },
    features: [
      { ...glucose, name: 'petal length', unit: 'cm' },
      {
        name: 'site',
        description: 'Where it grew',
        dtype: 'category',
        nullable: true,
        categories: ['north', 'south'],
      },
    ],
    target: { name: 'species', classLabels: ['setosa', 'versicolor', 'virginica'] },
    onnx: {
      ...onnx,
      input: { ...onnx.input },
      categoricalInput: { name: 'categories', dtype: 'string' },
      outputs: { ...onnx.outputs },
    },
    metrics: {
      primary: { metric: 'rocAuc', direction: 'higher' },
      crossValidation: {
        folds: 5,
        seed: 42,
        rocAuc: spread,
        accuracy: spread,
        macroF1: spread,
        logLoss: spread,
      },
      heldOut: multiclassEvaluation,
      training: multiclassEvaluation,
    },
    trainingData: { file: 'data.csv', sha256: 'b'.repeat(64), rows: 150, classCounts: [50, 50, 50] },
    trainingTimeMs: 300,
    reference: [
      { ...glucoseReference, feature: 'petal length' },
      {
        feature: 'site',
        categories: ['north', 'south'],
        proportions: [0.4, 0.6],
        missingRate: 0.1,
        count: 135,
      },
    ],
    trainingOptions: trainingOptions('multiclass', 'species'),
  };
}

/** A regression manifest with a unit and a prediction interval. */
export function regressionManifest(): RegressionModelManifest {
  const evaluation = { rmse: 54, r2: 0.49, mae: 44 };
  return {
    schemaVersion: 2,
    name: 'diabetes-progression',
    version: '1.0.0',
    task: 'regression',
    createdAt: '2026-11-23T08:00:00.000Z',
    trainer: { name: '@glyco/trainer', version: '0.2.0' },
    algorithm: { name: 'ridge', hyperparameters: { l2: 10 } },
    features: [{ ...glucose }],
    target: { name: 'progression', description: 'Disease progression one year after baseline', unit: null },
    onnx: { ...onnx, input: { ...onnx.input }, outputs: { value: 'value' } },
    metrics: {
      primary: { metric: 'rmse', direction: 'lower' },
      crossValidation: { folds: 5, seed: 42, rmse: spread, r2: spread, mae: spread },
      heldOut: { ...evaluation, plot: { actual: [151, 75], predicted: [160, 90] } },
      training: evaluation,
    },
    predictionInterval: { coverage: 0.9, residualLow: -90, residualHigh: 95 },
    trainingData: {
      file: 'data.csv',
      sha256: 'b'.repeat(64),
      rows: 442,
      targetSummary: { min: 25, max: 346, mean: 152, sd: 77 },
    },
    trainingTimeMs: 300,
    reference: [{ ...glucoseReference }],
    trainingOptions: trainingOptions('regression', 'progression'),
  };
}
