import { type RiskLevel, riskLevel } from '@glyco/contract';
import type { ModelOutputs } from './model/inference-engine.ts';
import type { ModelManifest } from './model/served-manifest.ts';
import type { PredictionLog, PredictionRecord } from './prediction-log/types.ts';
import type { ParsedRows } from './validation/parsed-rows.ts';

/** One row's answer, as `/predict` returns it. */
export interface RowPrediction {
  prediction: number;
  label: string;
  /** Probability of the positive class (`target.classLabels[1]`). */
  probability: number;
  risk_level: RiskLevel;
}

export function describeRow(manifest: ModelManifest, outputs: ModelOutputs, row: number): RowPrediction {
  const prediction = outputs.labels[row]!;
  const classes = outputs.probabilities.length / outputs.labels.length;
  const probability = outputs.probabilities[row * classes + 1]!;
  return {
    prediction,
    label: manifest.target.classLabels[prediction] ?? String(prediction),
    probability,
    risk_level: riskLevel(probability, manifest.riskThresholds),
  };
}

export interface PredictionContext {
  requestId: string;
  manifest: ModelManifest;
  rows: ParsedRows;
  outputs: ModelOutputs;
  latencyMs: number;
}

/** Hands one record per row to the prediction log; nothing is built when the log is off. */
export function recordPredictions(log: PredictionLog, context: PredictionContext): void {
  if (log.state().state === 'off') return;
  const { requestId, manifest, rows, outputs, latencyMs } = context;
  const time = new Date();
  const records: PredictionRecord[] = [];
  for (let i = 0; i < rows.count; i++) {
    const { prediction, label, probability, risk_level } = describeRow(manifest, outputs, i);
    records.push({
      requestId,
      time,
      modelName: manifest.name,
      modelVersion: manifest.version,
      inputs: rows.inputsOf(i),
      outputs: { prediction, label, probability, riskLevel: risk_level },
      latencyMs,
    });
  }
  log.record(records);
}
