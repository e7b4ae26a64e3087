import { rowId } from './row-id.ts';
import type { PredictionRecord } from './types.ts';

/**
 * One prediction as a JSON array, its values in `INSERT_BATCH_SQL` order: keys would double the bytes that
 * every row costs to build, to hand to the database and to spool. A batch is a JSON array of these: the same
 * text is the insert's single parameter and a line of the spool, so a replay is the same statement.
 *
 * The row gets its own id here, as it leaves the queue, before any attempt to store it: off the request path,
 * and fixed from then on (the spool keeps it), so a replay of a row the database already holds is a conflict
 * on that id, while two predictions that share a request id (a client reusing `X-Request-Id`) are two rows.
 */
export function rowJson(record: PredictionRecord, rowIndex: number): string {
  const { outputs } = record;
  return JSON.stringify([
    rowId(record.time.getTime()),
    isoTime(record.time),
    record.requestId,
    rowIndex,
    record.modelName,
    record.modelVersion,
    record.inputs,
    outputs.prediction,
    outputs.label,
    outputs.probability,
    outputs.riskLevel,
    record.latencyMs,
  ]);
}

/** The rows of one request share their time: its text is made once. */
let lastTime: Date | undefined;
let lastIso = '';
function isoTime(time: Date): string {
  if (time !== lastTime) {
    lastIso = time.toISOString();
    lastTime = time;
  }
  return lastIso;
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
  INSERT INTO predictions (id, predicted_at, request_id, row_index, model_name, model_version, inputs,
                           prediction, label, probability, risk_level, latency_ms)
  SELECT (r->>0)::uuid, (r->>1)::timestamptz, r->>2, (r->>3)::integer, r->>4, r->>5, r->6,
         (r->>7)::smallint, r->>8, (r->>9)::double precision, r->>10, (r->>11)::double precision
  FROM jsonb_array_elements($1::jsonb) AS r
  ON CONFLICT (id) DO NOTHING`;
