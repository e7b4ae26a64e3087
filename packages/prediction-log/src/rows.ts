import type { PredictionOutputs, PredictionRecord } from './types.ts';
import { uuidV7Source } from './uuid-v7.ts';

const newRowId = uuidV7Source();

/**
 * One prediction's column values, in `PREDICTION_COLUMNS` order. The outputs of a task leave the others' columns
 * null: classifiers fill `prediction`, `label`, `probability` (binary: the positive class's; multiclass: the
 * predicted class's) and, multiclass only, `probabilities`; binary alone `riskLevel`; regression alone `value`.
 * The columns added after the first release come last, so that a spool written before them replays as it was.
 */
export type RowValues = readonly [
  id: string,
  predictedAt: string,
  requestId: string,
  rowIndex: number,
  modelName: string,
  modelVersion: string,
  inputsJson: string,
  prediction: number | null,
  label: string | null,
  probability: number | null,
  riskLevel: string | null,
  latencyMs: number,
  probabilities: readonly number[] | null,
  value: number | null,
  client: string | null,
];

const PREDICTION_COLUMNS =
  'id, predicted_at, request_id, row_index, model_name, model_version, inputs, prediction, label, probability, risk_level, latency_ms, probabilities, value, client';

/** What `copyText` fills: `SqlClient.copyIn`'s target. */
export const COPY_TARGET = `predictions (${PREDICTION_COLUMNS})`;

type OutputColumns = [
  prediction: number | null,
  label: string | null,
  probability: number | null,
  riskLevel: string | null,
  probabilities: readonly number[] | null,
  value: number | null,
];

function outputColumns(outputs: PredictionOutputs): OutputColumns {
  if ('riskLevel' in outputs) {
    return [outputs.prediction, outputs.label, outputs.probability, outputs.riskLevel, null, null];
  }
  if ('probabilities' in outputs) {
    const { prediction, label, probabilities } = outputs;
    return [prediction, label, probabilities[prediction]!, null, probabilities, null];
  }
  return [null, null, null, null, null, outputs.value];
}

/**
 * The row gets its own id here, as it leaves the queue, before any attempt to store it: off the request path,
 * and fixed from then on (the spool keeps it), so a replay of a row the database already holds is a conflict
 * on that id, while two predictions that share a request id (a client reusing `X-Request-Id`) are two rows.
 * Throws when the inputs cannot be written as JSON.
 */
export function rowValues(record: PredictionRecord, rowIndex: number): RowValues {
  const ms = record.time.getTime();
  const inputsJson = JSON.stringify(record.inputs);
  if (typeof inputsJson !== 'string') throw new Error('inputs have no JSON form');
  const [prediction, label, probability, riskLevel, probabilities, value] = outputColumns(record.outputs);
  return [
    newRowId(ms),
    isoTime(ms),
    record.requestId,
    rowIndex,
    record.modelName,
    record.modelVersion,
    inputsJson,
    prediction,
    label,
    probability,
    riskLevel,
    record.latencyMs,
    probabilities,
    value,
    record.client ?? null,
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
    text += `${copyField(row[0])}\t${row[1]}\t${copyField(row[2])}\t${row[3]}\t${copyField(row[4])}\t${copyField(row[5])}\t${copyField(row[6])}\t${copyNumber(row[7])}\t${copyNullableText(row[8])}\t${copyNumber(row[9])}\t${copyNullableText(row[10])}\t${row[11]}\t${copyArray(row[12])}\t${copyNumber(row[13])}\t${copyNullableText(row[14])}\n`;
  }
  return text;
}

/** COPY's text format writes a null as `\N`. */
const COPY_NULL = '\\N';

function copyNumber(value: number | null): string {
  return value === null ? COPY_NULL : String(value);
}

function copyNullableText(text: string | null): string {
  return text === null ? COPY_NULL : copyField(text);
}

/** A `double precision[]` in COPY's text format: `{0.1,0.2,0.7}`. */
function copyArray(values: readonly number[] | null): string {
  return values === null ? COPY_NULL : `{${values.join(',')}}`;
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
  const outputs = invalidOutputs(record.outputs);
  if (outputs) return outputs;
  if (!Number.isFinite(record.latencyMs)) return 'latencyMs is not a finite number';
  if (typeof record.inputs !== 'object' || record.inputs === null) return 'inputs is not an object';
  if (record.client !== undefined && typeof record.client !== 'string') return 'client is not a string';
  return undefined;
}

const isShare = (value: unknown) => typeof value === 'number' && value >= 0 && value <= 1;

function invalidOutputs(outputs: PredictionOutputs | undefined): string | undefined {
  if (typeof outputs !== 'object' || outputs === null) return 'outputs is missing';
  if ('value' in outputs) {
    return Number.isFinite(outputs.value) ? undefined : 'outputs.value is not a finite number';
  }
  const { prediction, label } = outputs;
  if (!Number.isInteger(prediction) || prediction < 0) return 'outputs.prediction is not a class index';
  if (typeof label !== 'string') return 'outputs.label is missing';
  if ('probabilities' in outputs) {
    const { probabilities } = outputs;
    if (!Array.isArray(probabilities) || !probabilities.every(isShare))
      return 'outputs.probabilities are not shares in [0, 1]';
    return prediction < probabilities.length ? undefined : 'outputs.prediction has no probability';
  }
  if (!isShare(outputs.probability)) return 'outputs.probability is not in [0, 1]';
  return typeof outputs.riskLevel === 'string' ? undefined : 'outputs.riskLevel is missing';
}

/** Elements 12 to 14 are absent from rows spooled before their columns existed: they are stored as null. */
export const INSERT_BATCH_SQL = `
  INSERT INTO predictions (${PREDICTION_COLUMNS})
  SELECT (r->>0)::uuid, (r->>1)::timestamptz, r->>2, (r->>3)::integer, r->>4, r->>5, r->6,
         (r->>7)::smallint, r->>8, (r->>9)::double precision, r->>10, (r->>11)::double precision,
         CASE WHEN jsonb_typeof(r->12) = 'array' THEN ARRAY(
           SELECT share::double precision
           FROM jsonb_array_elements_text(r->12) WITH ORDINALITY AS element(share, position)
           ORDER BY position) END,
         (r->>13)::double precision, r->>14
  FROM jsonb_array_elements($1::jsonb) AS r
  ON CONFLICT (id, predicted_at) DO NOTHING`;
