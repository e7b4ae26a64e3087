import type { ModelManifest } from '../src/index.ts';

const metrics = {
  rocAuc: 0.84,
  accuracy: 0.77,
  f1: 0.64,
  brier: 0.16,
  confusionMatrix: { tp: 160, fp: 70, tn: 430, fn: 108 },
};
const spread = { mean: 0.84, sd: 0.02, perFold: [0.82, 0.83, 0.84, 0.85, 0.86] };

/** A small but complete manifest; each test breaks one thing in its own copy. */
export function validManifest(): ModelManifest {
  return {
    schemaVersion: 1,
    name: 'pima-diabetes',
    version: '1.0.0',
    task: 'binary',
    createdAt: '2026-11-23T08:00:00.000Z',
    trainer: { name: '@glyco/trainer', version: '0.1.0' },
    algorithm: { name: 'logreg', hyperparameters: { l2: 1 } },
    features: [
      {
        name: 'glucose',
        description: 'Plasma glucose, 2 h oral glucose tolerance test',
        unit: 'mg/dL',
        dtype: 'float',
        nullable: true,
        min: 1,
        max: 400,
        zeroMeansMissing: true,
      },
    ],
    target: { name: 'diabetes', classLabels: ['neg', 'pos'] },
    riskThresholds: { medium: 0.3, high: 0.6 },
    onnx: {
      file: 'model.onnx',
      sha256: 'a'.repeat(64),
      input: { name: 'features', dtype: 'float32' },
      outputs: { label: 'label', probabilities: 'probabilities' },
      opsets: { '': 17, 'ai.onnx.ml': 3 },
    },
    metrics: {
      threshold: 0.5,
      crossValidation: { folds: 5, seed: 42, rocAuc: spread, accuracy: spread, f1: spread, brier: spread },
      heldOut: metrics,
      training: metrics,
    },
    trainingData: { file: 'pima-indians-diabetes.csv', sha256: 'b'.repeat(64), rows: 768, positives: 268 },
    trainingTimeMs: 1200,
    reference: [
      {
        feature: 'glucose',
        edges: [0, 100, 400],
        proportions: [0.5, 0.5],
        quantiles: Array.from({ length: 101 }, (_, i) => 44 + i),
        missingRate: 0.01,
        count: 763,
      },
    ],
  };
}
