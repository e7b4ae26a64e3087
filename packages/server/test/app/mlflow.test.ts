/**
 * MLflow's scoring protocol as its clients send it: the request layouts and answers of MLflow's scoring server
 * (mlflow/mlflow@006c18cc, mlflow/pyfunc/scoring_server/__init__.py), its error members (`error_code`,
 * `message`, mlflow/exceptions.py) and `/ping`, `/version`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap.ts';
import { BatchPredictResponseSchema, ProblemSchema } from '../../src/openapi/response-schemas.ts';
import { JSON_HEADERS, MANIFEST, recordingLog, testRuntime, VALID_ROW } from '../support/fixtures.ts';

let runtime: Runtime;
const log = recordingLog();
beforeAll(async () => {
  runtime = await testRuntime({ predictionLog: log, env: { MAX_INSTANCES: '50' } });
});
afterAll(() => runtime.models.close());

const NAMES = MANIFEST.features.map((feature) => feature.name);
const ROWS = [
  VALID_ROW,
  { ...VALID_ROW, glucose: 80, mass: 22, age: 22 },
  { ...VALID_ROW, glucose: 197, age: 60 },
];
const positional = (row: Record<string, number>) => NAMES.map((name) => row[name]);

const invoke = (body: string, headers: Record<string, string> = JSON_HEADERS) =>
  runtime.app.request('/invocations', { method: 'POST', headers, body });

/** What `/predict` says of the same rows: the reference every layout must match. */
async function predicted() {
  const res = await runtime.app.request('/predict', {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify({ instances: ROWS }),
  });
  return BatchPredictResponseSchema.parse(await res.json()).predictions;
}

const LAYOUTS: Record<string, unknown> = {
  'dataframe_split (pandas orient="split")': {
    dataframe_split: { columns: NAMES, data: ROWS.map(positional) },
  },
  'dataframe_split with an index and its own column order': {
    dataframe_split: {
      index: [0, 1, 2],
      columns: NAMES.toReversed(),
      data: ROWS.map((row) => positional(row).toReversed()),
    },
  },
  'dataframe_records (pandas orient="records")': { dataframe_records: ROWS },
  'instances of row objects': { instances: ROWS },
  'instances of lists in the model feature order': { instances: ROWS.map(positional) },
  'inputs of row objects': { inputs: ROWS },
  'inputs as columns (TF serving columnar)': {
    inputs: Object.fromEntries(NAMES.map((name) => [name, ROWS.map((row) => row[name as 'age'])])),
  },
};

describe('POST /invocations', () => {
  it.each(Object.keys(LAYOUTS))('answers %s with each row’s class label, as /predict does', async (name) => {
    const res = await invoke(JSON.stringify(LAYOUTS[name]));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = await res.json();
    expect(body).toEqual({ predictions: (await predicted()).map((p) => p.label) });
  });

  it('answers a CSV data frame (pandas to_csv, index=False), empty cells missing', async () => {
    const csv = [NAMES.join(','), ...ROWS.map((row) => positional(row).join(','))].join('\n');
    const res = await invoke(`${csv}\n`, { 'content-type': 'text/csv; charset=utf-8' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ predictions: (await predicted()).map((p) => p.label) });

    const missing = `${NAMES.join(',')}\n${positional({ ...VALID_ROW, insulin: Number.NaN })
      .map((value) => (Number.isNaN(value) ? '' : value))
      .join(',')}\n`;
    const withGap = await invoke(missing, { 'content-type': 'text/csv' });
    expect(withGap.status).toBe(200);
  });

  it('answers the class probabilities, in class label order, for params.predict_fn = predict_proba', async () => {
    const res = await invoke(
      JSON.stringify({ dataframe_records: ROWS, params: { predict_fn: 'predict_proba' } }),
    );
    expect(res.status).toBe(200);
    const { predictions } = (await res.json()) as { predictions: number[][] };
    const reference = await predicted();
    expect(predictions).toHaveLength(ROWS.length);
    for (const [i, probabilities] of predictions.entries()) {
      expect(probabilities).toHaveLength(MANIFEST.target.classLabels.length);
      expect(probabilities[1]).toBe(reference[i]!.probability);
      expect(probabilities[0]! + probabilities[1]!).toBeCloseTo(1, 6);
    }
  });

  it('logs every row as /predict does, with the inputs as sent', async () => {
    log.records.length = 0;
    const res = await invoke(
      JSON.stringify({ dataframe_split: { columns: NAMES, data: ROWS.map(positional) } }),
    );
    expect(res.status).toBe(200);
    expect(log.records).toHaveLength(ROWS.length);
    expect(log.records[2]!.inputs).toEqual({ ...ROWS[2], insulin: null });
    expect(log.records[0]!.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('counts its rows in the prediction metrics', async () => {
    const metric = async () => {
      const text = await (await runtime.app.request('/metrics')).text();
      return Number(/^glyco_predictions_total\{[^}]*\} (\d+)$/m.exec(text)?.[1] ?? 0);
    };
    const before = await metric();
    await invoke(JSON.stringify({ instances: ROWS }));
    expect(await metric()).toBe(before + ROWS.length);
  });

  it.each([
    [
      'a value out of range, at its place in dataframe_split',
      JSON.stringify({ dataframe_split: { columns: NAMES, data: [positional({ ...VALID_ROW, age: 200 })] } }),
      JSON_HEADERS,
      400,
      'INVALID_PARAMETER_VALUE',
      `dataframe_split.data[0][${NAMES.indexOf('age')}] (age) must be at most 120 years`,
      `#/dataframe_split/data/0/${NAMES.indexOf('age')}`,
    ],
    [
      'an unknown column, named once however many rows carry it',
      JSON.stringify({
        dataframe_split: { columns: [...NAMES, 'glucoze'], data: ROWS.map((row) => [...positional(row), 1]) },
      }),
      JSON_HEADERS,
      400,
      'INVALID_PARAMETER_VALUE',
      `dataframe_split.columns[${NAMES.length}] (glucoze) is not a known field; did you mean "glucose"?`,
      `#/dataframe_split/columns/${NAMES.length}`,
    ],
    [
      'a wrong type in dataframe_records',
      JSON.stringify({ dataframe_records: [VALID_ROW, { ...VALID_ROW, glucose: 'high' }] }),
      JSON_HEADERS,
      400,
      'INVALID_PARAMETER_VALUE',
      'dataframe_records[1].glucose must be a number, not the string "high"',
      '#/dataframe_records/1/glucose',
    ],
    [
      'a positional instance of the wrong length',
      JSON.stringify({ instances: [[1, 2, 3]] }),
      JSON_HEADERS,
      400,
      'INVALID_PARAMETER_VALUE',
      `instances[0] must hold ${NAMES.length} values, the features in the model's order: ${NAMES.join(', ')}`,
      '#/instances/0',
    ],
    [
      'a missing column in inputs',
      JSON.stringify({ inputs: { glucose: [100] } }),
      JSON_HEADERS,
      400,
      'INVALID_PARAMETER_VALUE',
      'inputs.pregnant[0] is required (and 2 more)',
      '#/inputs/pregnant/0',
    ],
    [
      'a CSV value out of range, by its line',
      `${NAMES.join(',')}\n${positional(VALID_ROW).join(',')}\n${positional({ ...VALID_ROW, glucose: 900 }).join(',')}\n`,
      { 'content-type': 'text/csv' },
      400,
      'INVALID_PARAMETER_VALUE',
      'line 3.glucose must be at most',
      '#/line%203/glucose',
    ],
    [
      'an unknown predict_fn',
      JSON.stringify({ instances: ROWS, params: { predict_fn: 'decision_function' } }),
      JSON_HEADERS,
      400,
      'INVALID_PARAMETER_VALUE',
      'params.predict_fn must be one of predict, predict_proba',
      '#/params/predict_fn',
    ],
  ])(
    'refuses %s: 400, MLflow error_code and message, problem details',
    async (...[, body, headers, status, code, detail, pointer]) => {
      const res = await invoke(body, headers);
      expect(res.status).toBe(status);
      const problem = ProblemSchema.passthrough().parse(await res.json());
      expect(problem.error_code).toBe(code);
      expect(problem.message).toBe(problem.detail);
      expect(problem.status).toBe(status);
      expect(problem.detail.startsWith(detail)).toBe(true);
      expect(problem.errors?.[0]?.pointer).toBe(pointer);
    },
  );

  it.each([
    ['malformed JSON', '{"instances": [', JSON_HEADERS, 400, 'the request body is not valid JSON'],
    [
      'no layout',
      JSON.stringify({ rows: ROWS }),
      JSON_HEADERS,
      400,
      'The input must be a JSON object with exactly one of the input fields dataframe_split, dataframe_records, instances, inputs; received an object with the fields rows',
    ],
    [
      'two layouts',
      JSON.stringify({ instances: ROWS, inputs: ROWS }),
      JSON_HEADERS,
      400,
      'The input must be a JSON object with exactly one of the input fields',
    ],
    ['a bare list', JSON.stringify(ROWS), JSON_HEADERS, 400, 'The input must be a JSON object'],
    [
      'ragged dataframe_split data',
      JSON.stringify({ dataframe_split: { columns: NAMES, data: [[1, 2]] } }),
      JSON_HEADERS,
      400,
      `dataframe_split.data[0] must be an array of ${NAMES.length} values, one per column`,
    ],
    [
      'a CSV line of the wrong width',
      `${NAMES.join(',')}\n1,2\n`,
      { 'content-type': 'text/csv' },
      400,
      "the CSV body's line 2 holds 2 cells, but its header has",
    ],
    [
      'a form body',
      'a=1',
      { 'content-type': 'application/x-www-form-urlencoded' },
      415,
      'the body must be sent as Content-Type: application/json or text/csv (UTF-8)',
    ],
    [
      'a charset other than UTF-8',
      JSON.stringify({ instances: ROWS }),
      { 'content-type': 'application/json; charset=latin-1' },
      415,
      'the body must be sent as Content-Type',
    ],
    [
      'more rows than a request may hold',
      JSON.stringify({ dataframe_records: Array.from({ length: 51 }, () => VALID_ROW) }),
      JSON_HEADERS,
      413,
      'dataframe_records holds 51 rows; at most 50 are allowed per request',
    ],
  ])('refuses %s as MLflow does: BAD_REQUEST', async (_case, body, headers, status, detail) => {
    const res = await invoke(body, headers);
    expect(res.status).toBe(status);
    const problem = ProblemSchema.passthrough().parse(await res.json());
    expect(problem.error_code).toBe('BAD_REQUEST');
    expect(problem.message).toBe(problem.detail);
    expect(problem.detail.startsWith(detail)).toBe(true);
  });

  it('reads a body sent without Content-Type as JSON', async () => {
    // Bytes, not a string: a Request made from a string gets text/plain by default.
    const body = new TextEncoder().encode(JSON.stringify({ instances: ROWS }));
    const res = await runtime.app.request('/invocations', { method: 'POST', body });
    expect(res.status).toBe(200);
  });

  it('logs nothing for a refused request', async () => {
    log.records.length = 0;
    await invoke(JSON.stringify({ dataframe_records: [{ ...VALID_ROW, age: -1 }] }));
    expect(log.records).toEqual([]);
  });
});

describe('GET /ping and /version', () => {
  it('/ping answers 200 with a newline, as MLflow’s does, while the server takes requests', async () => {
    const res = await runtime.app.request('/ping');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('\n');
  });

  it('/version answers the server version as text', async () => {
    const res = await runtime.app.request('/version');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
