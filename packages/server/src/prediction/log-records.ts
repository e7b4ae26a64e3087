import type { ModelManifest } from '@glyco/contract';
import type { PredictionLog, PredictionOutputs, PredictionRecord } from '@glyco/prediction-log';
import type { ParsedRows } from '../validation/parsed-rows.ts';
import type { RowPrediction } from './row-prediction.ts';

/** A prediction as the log keeps it: who asked, which model answered, what each row held and got. */
export interface LoggedPrediction {
  requestId: string;
  manifest: ModelManifest;
  rows: ParsedRows;
  answers: readonly RowPrediction[];
  latencyMs: number;
  /** Who sent the request, when authentication named it. */
  client: string | undefined;
}

/** A row's answer in the log's terms: the outputs of its task (see the log's columns). */
function loggedOutputs(manifest: ModelManifest, answer: RowPrediction): PredictionOutputs {
  if ('value' in answer) return { value: answer.value };
  if ('risk_level' in answer) {
    const { prediction, label, probability, risk_level: riskLevel } = answer;
    return { prediction, label, probability, riskLevel };
  }
  const classLabels = manifest.task === 'multiclass' ? manifest.target.classLabels : [];
  const { prediction, label } = answer;
  return { prediction, label, probabilities: classLabels.map((name) => answer.probabilities[name]!) };
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
  const { requestId, manifest, rows, answers, latencyMs, client } = prediction;
  const time = new Date();
  const records: PredictionRecord[] = [];
  for (let i = 0; i < rows.count; i++) {
    records.push({
      requestId,
      time,
      modelName: manifest.name,
      modelVersion: manifest.version,
      inputs: rows.inputsOf(i),
      outputs: loggedOutputs(manifest, answers[i]!),
      latencyMs,
      ...(client && { client }),
    });
  }
  return log.record(records);
}
