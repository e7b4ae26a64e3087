import {
  type BinaryModelManifest,
  type ModelManifest,
  type MulticlassModelManifest,
  type RegressionModelManifest,
  type RiskLevel,
  riskLevel,
} from '@glyco/contract';
import type { ClassifierOutputs, ModelOutputs, RegressionOutputs } from '../model/inference-engine.ts';

/** A binary classifier's answer for one row, as `/predict` returns it. */
export interface BinaryRowPrediction {
  /** Index of the predicted class in `target.classLabels`. */
  prediction: number;
  label: string;
  /** Probability of the positive class (`target.classLabels[1]`). */
  probability: number;
  risk_level: RiskLevel;
}

/** A multiclass classifier's answer for one row. */
export interface MulticlassRowPrediction {
  /** Index of the predicted class (the most probable one) in `target.classLabels`. */
  prediction: number;
  label: string;
  /** Every class's probability, by class label, in `target.classLabels` order; they sum to 1. */
  probabilities: Record<string, number>;
}

/** A regression model's answer for one row. */
export interface RegressionRowPrediction {
  /** The predicted value, in `unit`. */
  value: number;
  unit: string | null;
  /** The range that held the true value for `coverage` of the out-of-fold predictions. */
  interval: { low: number; high: number; coverage: number };
}

export type RowPrediction = BinaryRowPrediction | MulticlassRowPrediction | RegressionRowPrediction;

function binaryRows(manifest: BinaryModelManifest, outputs: ClassifierOutputs, count: number) {
  const { classLabels } = manifest.target;
  const answers: BinaryRowPrediction[] = [];
  for (let row = 0; row < count; row++) {
    const prediction = outputs.labels[row]!;
    const probability = outputs.probabilities[row * 2 + 1]!;
    answers.push({
      prediction,
      label: classLabels[prediction] ?? String(prediction),
      probability,
      risk_level: riskLevel(probability, manifest.riskThresholds),
    });
  }
  return answers;
}

function multiclassRows(manifest: MulticlassModelManifest, outputs: ClassifierOutputs, count: number) {
  const { classLabels } = manifest.target;
  const classes = classLabels.length;
  const answers: MulticlassRowPrediction[] = [];
  for (let row = 0; row < count; row++) {
    const prediction = outputs.labels[row]!;
    const probabilities: Record<string, number> = {};
    for (let k = 0; k < classes; k++)
      probabilities[classLabels[k]!] = outputs.probabilities[row * classes + k]!;
    answers.push({ prediction, label: classLabels[prediction] ?? String(prediction), probabilities });
  }
  return answers;
}

function regressionRows(manifest: RegressionModelManifest, outputs: RegressionOutputs, count: number) {
  const { unit } = manifest.target;
  const { coverage, residualLow, residualHigh } = manifest.predictionInterval;
  const answers: RegressionRowPrediction[] = [];
  for (let row = 0; row < count; row++) {
    const value = outputs.values[row]!;
    answers.push({
      value,
      unit,
      interval: { low: value + residualLow, high: value + residualHigh, coverage },
    });
  }
  return answers;
}

/** Each row's answer, from the model's outputs for `count` rows, in the terms of the manifest's task. */
export function describeRows(manifest: ModelManifest, outputs: ModelOutputs, count: number): RowPrediction[] {
  if (manifest.task === 'regression') {
    if (outputs.kind !== 'values') throw new Error('a regression model gave classes');
    return regressionRows(manifest, outputs, count);
  }
  if (outputs.kind !== 'classes') throw new Error('a classifier gave values');
  return manifest.task === 'binary'
    ? binaryRows(manifest, outputs, count)
    : multiclassRows(manifest, outputs, count);
}
