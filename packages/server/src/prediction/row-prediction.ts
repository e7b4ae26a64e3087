import { type BinaryNumericManifest as ModelManifest, type RiskLevel, riskLevel } from '@glyco/contract';
import type { ModelOutputs } from '../model/inference-engine.ts';

/** One row's answer, as `/predict` returns it. */
export interface RowPrediction {
  prediction: number;
  label: string;
  /** Probability of the positive class (`target.classLabels[1]`). */
  probability: number;
  risk_level: RiskLevel;
}

/** Each row's answer, from the model's outputs for `count` rows. */
export function describeRows(manifest: ModelManifest, outputs: ModelOutputs, count: number): RowPrediction[] {
  const classes = outputs.probabilities.length / count;
  const { classLabels } = manifest.target;
  const answers: RowPrediction[] = [];
  for (let row = 0; row < count; row++) {
    const prediction = outputs.labels[row]!;
    const probability = outputs.probabilities[row * classes + 1]!;
    answers.push({
      prediction,
      label: classLabels[prediction] ?? String(prediction),
      probability,
      risk_level: riskLevel(probability, manifest.riskThresholds),
    });
  }
  return answers;
}
