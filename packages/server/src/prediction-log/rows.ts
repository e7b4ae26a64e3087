import type { PredictionRecord } from './types.ts';

/**
 * One prediction as a JSON object whose keys are the `predictions` columns. A batch is a JSON array of these:
 * the same text is the insert's single parameter and a line of the spool, so a replay is the same statement.
 */
export function rowJson(record: PredictionRecord, rowIndex: number): string {
  const { outputs } = record;
  return JSON.stringify({
    predicted_at: record.time.toISOString(),
    request_id: record.requestId,
    row_index: rowIndex,
    model_name: record.modelName,
    model_version: record.modelVersion,
    inputs: record.inputs,
    prediction: outputs.prediction,
    label: outputs.label,
    probability: outputs.probability,
    risk_level: outputs.riskLevel,
    latency_ms: record.latencyMs,
  });
}

/** Why a record cannot be stored as it is, or undefined when it can. Cheap: runs for every row at flush time. */
export function invalidRecord(record: PredictionRecord): string | undefined {
  if (!(record.time instanceof Date) || Number.isNaN(record.time.getTime()))
    return 'time is not a valid Date';
  if (typeof record.requestId !== 'string' || record.requestId === '') return 'requestId is empty';
  if (!record.modelName || !record.modelVersion) return 'model name or version is empty';
  const { prediction, probability, label, riskLevel } = record.outputs ?? {};
  if (!Number.isInteger(prediction)) return 'outputs.prediction is not an integer';
  if (typeof probability !== 'number' || !(probability >= 0 && probability <= 1)) {
    return 'outputs.probability is not in [0, 1]';
  }
  if (typeof label !== 'string' || typeof riskLevel !== 'string')
    return 'outputs.label or riskLevel is missing';
  if (!Number.isFinite(record.latencyMs)) return 'latencyMs is not a finite number';
  if (typeof record.inputs !== 'object' || record.inputs === null) return 'inputs is not an object';
  return undefined;
}

export const INSERT_BATCH_SQL = `
  INSERT INTO predictions (predicted_at, request_id, row_index, model_name, model_version, inputs,
                           prediction, label, probability, risk_level, latency_ms)
  SELECT predicted_at, request_id, row_index, model_name, model_version, inputs,
         prediction, label, probability, risk_level, latency_ms
  FROM jsonb_to_recordset($1::jsonb) AS batch(
    predicted_at timestamptz, request_id text, row_index integer, model_name text, model_version text,
    inputs jsonb, prediction smallint, label text, probability double precision, risk_level text,
    latency_ms double precision)
  ON CONFLICT (request_id, row_index) DO NOTHING`;
