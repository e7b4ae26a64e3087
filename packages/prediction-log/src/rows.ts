import type { PredictionRecord } from './types.ts';
import { uuidV7Source } from './uuid-v7.ts';

const newRowId = uuidV7Source();

/** One prediction's column values, in `PREDICTION_COLUMNS` order. */
export type RowValues = readonly [
  id: string,
  predictedAt: string,
  requestId: string,
  rowIndex: number,
  modelName: string,
  modelVersion: string,
  inputsJson: string,
  prediction: number,
  label: string,
  probability: number,
  riskLevel: string,
  latencyMs: number,
];

const PREDICTION_COLUMNS =
  'id, predicted_at, request_id, row_index, model_name, model_version, inputs, prediction, label, probability, risk_level, latency_ms';

/** What `copyText` fills: `SqlClient.copyIn`'s target. */
export const COPY_TARGET = `predictions (${PREDICTION_COLUMNS})`;

/**
 * The row gets its own id here, as it leaves the queue, before any attempt to store it: off the request path,
 * and fixed from then on (the spool keeps it), so a replay of a row the database already holds is a conflict
 * on that id, while two predictions that share a request id (a client reusing `X-Request-Id`) are two rows.
 * Throws when the inputs cannot be written as JSON.
 */
export function rowValues(record: PredictionRecord, rowIndex: number): RowValues {
  const { outputs } = record;
  const ms = record.time.getTime();
  const inputsJson = JSON.stringify(record.inputs);
  if (typeof inputsJson !== 'string') throw new Error('inputs have no JSON form');
  return [
    newRowId(ms),
    isoTime(ms),
    record.requestId,
    rowIndex,
    record.modelName,
    record.modelVersion,
    inputsJson,
    outputs.prediction,
    outputs.label,
    outputs.probability,
    outputs.riskLevel,
    record.latencyMs,
  ];
}

/**
 * One row as `INSERT_BATCH_SQL` takes it: a JSON array of its values (keys would double the bytes every row
 * costs to send and to spool). A batch is a JSON array of these, which is also a line of the spool.
 */
export function rowJson(row: RowValues): string {
  const [id, predictedAt, requestId, rowIndex, modelName, modelVersion, inputsJson, ...outputs] = row;
  const head = JSON.stringify([id, predictedAt, requestId, rowIndex, modelName, modelVersion]);
  return `${head.slice(0, -1)},${inputsJson},${JSON.stringify(outputs).slice(1)}`;
}

export function batchJson(rowsJson: readonly string[]): string {
  return `[${rowsJson.join(',')}]`;
}

/**
 * A batch in COPY's text format: one line per row, columns separated by tabs. COPY skips the per-row JSON
 * work that `INSERT_BATCH_SQL` makes the server do and costs it about a third less CPU per row; it is used
 * for rows on their first attempt, which cannot already be in the table.
 */
export function copyText(rows: readonly RowValues[]): string {
  let text = '';
  for (const row of rows) {
    text += `${copyField(row[0])}\t${row[1]}\t${copyField(row[2])}\t${row[3]}\t${copyField(row[4])}\t${copyField(row[5])}\t${copyField(row[6])}\t${row[7]}\t${copyField(row[8])}\t${row[9]}\t${copyField(row[10])}\t${row[11]}\n`;
  }
  return text;
}

const COPY_SPECIAL = /[\\\t\n\r]/g;
const HAS_COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
};

/** A text value escaped for COPY's text format, where a backslash, tab or line break would end the field. */
function copyField(text: string): string {
  // Tested first: a replace() that finds nothing still costs twice as much, and nothing is the usual case.
  return HAS_COPY_SPECIAL.test(text) ? text.replace(COPY_SPECIAL, (special) => COPY_ESCAPES[special]!) : text;
}

/** Rows made in the same millisecond (those of a request, of a micro-batch) share their time's text. */
let lastMs = Number.NaN;
let lastIso = '';
function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
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
  INSERT INTO predictions (${PREDICTION_COLUMNS})
  SELECT (r->>0)::uuid, (r->>1)::timestamptz, r->>2, (r->>3)::integer, r->>4, r->>5, r->6,
         (r->>7)::smallint, r->>8, (r->>9)::double precision, r->>10, (r->>11)::double precision
  FROM jsonb_array_elements($1::jsonb) AS r
  ON CONFLICT (id) DO NOTHING`;
