import type { BinaryNumericManifest as ModelManifest } from '@glyco/contract';
import type { PredictionLog, PredictionRecord } from '@glyco/prediction-log';
import type { ParsedRows } from '../validation/parsed-rows.ts';
import type { RowPrediction } from './row-prediction.ts';

/** A prediction as the log keeps it: who asked, which model answered, what each row held and got. */
export interface LoggedPrediction {
  requestId: string;
  manifest: ModelManifest;
  rows: ParsedRows;
  answers: readonly RowPrediction[];
  latencyMs: number;
}

/**
 * Hands one record per row to the prediction log; nothing is built when the log is off. Returns what the log
 * returns: with strict durability, a promise settled once the rows are durable.
 */
export function recordPredictions(
  log: PredictionLog,
  prediction: LoggedPrediction,
): Promise<void> | undefined {
  if (log.state().state === 'off') return undefined;
  const { requestId, manifest, rows, answers, latencyMs } = prediction;
  const time = new Date();
  const records: PredictionRecord[] = [];
  for (let i = 0; i < rows.count; i++) {
    const { prediction, label, probability, risk_level } = answers[i]!;
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
  return log.record(records);
}
