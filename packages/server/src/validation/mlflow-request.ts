/**
 * MLflow's scoring protocol (`POST /invocations`), read as MLflow's own scoring server reads it
 * (mlflow/mlflow@006c18cc, mlflow/pyfunc/scoring_server/__init__.py): a JSON object with exactly one of
 * `dataframe_split`, `dataframe_records`, `instances`, `inputs` (other keys but `params` are ignored), or a CSV
 * data frame with a header. The rows are then validated exactly as `/predict` validates them.
 */
import { CsvParser, CsvSyntaxError, isCategorical, type ModelManifest } from '@glyco/contract';
import type { Context } from 'hono';
import type { AppEnv } from '../http/context.ts';
import { Problem } from '../http/problem.ts';
import { parseJsonText, readBodyText, unsupportedMediaType } from '../http/read-json-body.ts';
import { csvCellValue } from './csv-values.ts';
import { invalidField } from './issues.ts';
import type { ModelSchemas } from './model-schemas.ts';
import type { PredictRows } from './predict-body.ts';
import { checkRowCount, type LaidOutRows, objectOrPositionalRows, parseLaidOutRows } from './row-layouts.ts';

/** The four JSON layouts, in the order MLflow lists them. */
export const MLFLOW_LAYOUTS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;
type Layout = (typeof MLFLOW_LAYOUTS)[number];

/**
 * What a classifier answers: its labels (`predict`, MLflow's default for a classifier), or each row's class
 * probabilities in the order of the model's class labels, as a model logged with
 * `mlflow.sklearn.log_model(..., pyfunc_predict_fn="predict_proba")` answers.
 */
export const PREDICT_FNS = ['predict', 'predict_proba'] as const;
export type PredictFn = (typeof PREDICT_FNS)[number];

/** A body as `/invocations` takes it: JSON, or the text of a CSV data frame. */
export type MlflowBody = { json: unknown } | { csv: string };

export interface MlflowRows extends PredictRows {
  predictFn: PredictFn;
}

const MEDIA_TYPE = /^\s*([^;\s]+)\s*(.*)$/;

/**
 * The body of an `/invocations` request. As MLflow: `application/json` or `text/csv`, UTF-8 only, no content
 * type parameter but `charset` (415 otherwise). A body sent without Content-Type is read as JSON.
 */
export async function readMlflowBody(c: Context<AppEnv>, maxBytes: number): Promise<MlflowBody> {
  const contentType = c.req.header('content-type') ?? '';
  const [, mediaType = '', rest = ''] = MEDIA_TYPE.exec(contentType) ?? [];
  const type = mediaType.toLowerCase();
  const parameters = rest
    .split(';')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair) => pair.split('=').map((part) => part.trim().toLowerCase()) as [string, string?]);
  const acceptable =
    (type === '' || type === 'application/json' || type === 'text/csv') &&
    parameters.every(([name, value]) => name === 'charset' && value?.replaceAll('"', '') === 'utf-8');
  if (!acceptable) throw unsupportedMediaType(contentType, 'application/json or text/csv (UTF-8)');
  const text = await readBodyText(c, maxBytes);
  return type === 'text/csv' ? { csv: text } : { json: parseJsonText(text) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A 400 for a body whose structure (not its values) MLflow would not read: `BAD_REQUEST` there. */
function malformed(detail: string): Problem {
  return new Problem('malformed-request', detail);
}

/** `{"columns": [...], "data": [[...], ...]}`: pandas' `split` orientation (an `index` is ignored). */
function splitFrame(frame: unknown, schemas: ModelSchemas): LaidOutRows {
  const at = 'dataframe_split';
  if (!isObject(frame) || !Array.isArray(frame.data)) {
    throw malformed(`${at} must be an object {"columns": [names], "data": [[values], ...]}`);
  }
  const { columns, data } = frame;
  if (!Array.isArray(columns) || !columns.every((name) => typeof name === 'string')) {
    throw malformed(`${at}.columns must be an array of column names`);
  }
  checkRowCount(data.length, schemas.request.maxInstances, `${at}.data`);
  const wrong = data.findIndex((row) => !Array.isArray(row) || row.length !== columns.length);
  if (wrong >= 0) {
    throw malformed(`${at}.data[${wrong}] must be an array of ${columns.length} values, one per column`);
  }
  const rows = (data as unknown[][]).map((values) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) row[columns[i] as string] = values[i];
    return row;
  });
  return {
    rows,
    locate(row, key) {
      if (key === undefined) return [at, 'data', row];
      // A column the model does not know is named once, in `columns`; a feature with no column, by its name.
      if (!schemas.featureNames.includes(key)) return [at, 'columns', columns.indexOf(key)];
      const column = columns.indexOf(key);
      return [at, 'data', row, column >= 0 ? column : key];
    },
  };
}

/** `{"name": [values], ...}`: one list per column, as TF serving's columnar `inputs`. */
function columnarRows(columns: Record<string, unknown>, at: Layout, maxInstances: number): LaidOutRows {
  const names = Object.keys(columns);
  const lengths = new Set(names.map((name) => (Array.isArray(columns[name]) ? columns[name].length : -1)));
  if (lengths.has(-1) || lengths.size !== 1) {
    throw malformed(`${at} as columns must map each column name to an array of values, all of one length`);
  }
  const [count = 0] = lengths;
  checkRowCount(count, maxInstances, at);
  const rows = Array.from({ length: count }, (_, r) => {
    const row: Record<string, unknown> = {};
    for (const name of names) row[name] = (columns[name] as unknown[])[r];
    return row;
  });
  return {
    rows,
    locate: (row, key) => (key === undefined ? [at, row] : [at, key, row]),
  };
}

/** The rows of one JSON layout, as feature objects. */
function layoutRows(layout: Layout, value: unknown, schemas: ModelSchemas): LaidOutRows {
  const { maxInstances } = schemas.request;
  if (layout === 'dataframe_split') return splitFrame(value, schemas);
  if (layout !== 'dataframe_records' && isObject(value)) return columnarRows(value, layout, maxInstances);
  if (!Array.isArray(value)) {
    throw malformed(
      layout === 'dataframe_records'
        ? 'dataframe_records must be an array of row objects'
        : `${layout} must be an array of rows (objects, or lists in the model's feature order) or an object of columns`,
    );
  }
  checkRowCount(value.length, maxInstances, layout);
  if (layout === 'dataframe_records') {
    return { rows: value, locate: (row, key) => (key === undefined ? [layout, row] : [layout, row, key]) };
  }
  return objectOrPositionalRows(schemas.featureNames, value, [layout]);
}

/** `params.predict_fn`, when given: what a classifier answers. */
function predictFn(manifest: ModelManifest, params: unknown): PredictFn {
  if (params === undefined || params === null) return 'predict';
  if (!isObject(params)) throw malformed('params must be an object');
  const fn = params.predict_fn ?? 'predict';
  if (typeof fn !== 'string' || !(PREDICT_FNS as readonly string[]).includes(fn)) {
    throw invalidField(['params', 'predict_fn'], `must be one of ${PREDICT_FNS.join(', ')}`);
  }
  if (fn === 'predict_proba' && manifest.task === 'regression') {
    throw invalidField(
      ['params', 'predict_fn'],
      'is predict_proba, but a regression model has no probabilities',
    );
  }
  return fn as PredictFn;
}

/** A CSV data frame (header, then rows; `pandas.DataFrame.to_csv(index=False)`), each value at its line. */
function csvRows(text: string, manifest: ModelManifest, schemas: ModelSchemas): LaidOutRows {
  const parser = new CsvParser();
  let records: { line: number; cells: string[] }[];
  try {
    records = [...parser.push(text), ...parser.end()];
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw malformed(`the CSV body is not valid: ${error.message}`);
    throw error;
  }
  const [header, ...data] = records;
  if (!header) throw malformed('the CSV body is empty: send a header line, then one line per row');
  checkRowCount(data.length, schemas.request.maxInstances, 'the CSV body');
  const wrong = data.find((record) => record.cells.length !== header.cells.length);
  if (wrong) {
    throw malformed(
      `the CSV body's line ${wrong.line} holds ${wrong.cells.length} cells, but its header has ${header.cells.length}`,
    );
  }
  const categorical = header.cells.map((name) =>
    manifest.features.some((feature) => feature.name === name && isCategorical(feature)),
  );
  const rows = data.map(({ cells }) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < cells.length; i++) row[header.cells[i]!] = csvCellValue(cells[i]!, categorical[i]!);
    return row;
  });
  const line = (record: { line: number }) => `line ${record.line}`;
  return {
    rows,
    locate(row, key) {
      const record = data[row] ?? header;
      if (key === undefined) return [line(record)];
      // A column the model does not know is named once, in the header.
      return [line(schemas.featureNames.includes(key) ? record : header), key];
    },
  };
}

/** The rows of an `/invocations` body, validated against the model as `/predict` validates them. */
export function parseMlflowRequest(
  manifest: ModelManifest,
  schemas: ModelSchemas,
  body: MlflowBody,
): MlflowRows {
  if ('csv' in body) {
    const rows = parseLaidOutRows(manifest, schemas, csvRows(body.csv, manifest, schemas));
    return { ...rows, predictFn: 'predict' };
  }
  const { json } = body;
  const expected = `The input must be a JSON object with exactly one of the input fields ${MLFLOW_LAYOUTS.join(', ')}`;
  if (!isObject(json))
    throw malformed(`${expected}; received ${Array.isArray(json) ? 'a list' : typeof json}`);
  const layouts = MLFLOW_LAYOUTS.filter((layout) => Object.hasOwn(json, layout));
  if (layouts.length !== 1) {
    throw malformed(
      `${expected}; received an object with the fields ${Object.keys(json).join(', ') || 'none'}`,
    );
  }
  const [layout] = layouts as [Layout];
  const fn = predictFn(manifest, json.params);
  return { ...parseLaidOutRows(manifest, schemas, layoutRows(layout, json[layout], schemas)), predictFn: fn };
}
