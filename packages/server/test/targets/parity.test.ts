/**
 * The same requests, sent to the node server over HTTP on loopback and to the Lambda handler as each AWS front
 * end delivers them, get the same status, content type and body, byte for byte (the request id is fixed by
 * the client so that bodies can be compared whole).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifest } from '@glyco/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap, type Runtime } from '../../src/bootstrap.ts';
import { loadConfig } from '../../src/config.ts';
import { createLambdaHandler } from '../../src/lambda/handler.ts';
import { type RunningServer, startServer } from '../../src/node/server.ts';
import { type HttpRequest, type LambdaHttpResult, lambdaEvent } from '../../src/testing/lambda-events.ts';
import { MANIFEST, VALID_ROW } from '../support/fixtures.ts';
import { LAMBDA_CONTEXT, resultBody, resultHeader } from '../support/lambda-events.ts';
import { type Answer, startTargets } from '../support/targets.ts';
import {
  IRIS_DIR,
  IRIS_ROW,
  PROGRESSION_DIR,
  PROGRESSION_ROW,
  READMISSIONS_DIR,
  READMISSIONS_ROW,
} from '../support/task-models.ts';

const ENV = { DATABASE_URL: 'off', LOG_LEVEL: 'silent', MAX_BODY_BYTES: '2048', MAX_INSTANCES: '10' };

function post(
  path: string,
  body: string,
  contentType = 'application/json',
): Omit<HttpRequest, 'headers'> & { contentType: string } {
  return { method: 'POST', path, body, contentType };
}

const NAMES = MANIFEST.features.map((feature) => feature.name);
const ROW = MANIFEST.features.map((feature) => VALID_ROW[feature.name as keyof typeof VALID_ROW]);
const CASES: Record<string, Omit<HttpRequest, 'headers'> & { contentType?: string }> = {
  'valid single row': post('/predict', JSON.stringify(VALID_ROW)),
  'valid batch': post(
    '/predict',
    JSON.stringify({ instances: [VALID_ROW, { pregnant: 0, pedigree: 0.1, age: 22 }] }),
  ),
  'v2 inference': post(
    `/v2/models/${MANIFEST.name}/infer`,
    JSON.stringify({ inputs: [{ name: 'features', shape: [1, ROW.length], datatype: 'FP32', data: ROW }] }),
  ),
  'malformed JSON (400)': post('/predict', '{"age": 5,'),
  'empty body (400)': post('/predict', ''),
  'wrong content type (415)': post('/predict', 'age=5', 'application/x-www-form-urlencoded'),
  'body over the size limit (413)': post(
    '/predict',
    JSON.stringify({ instances: Array.from({ length: 30 }, () => VALID_ROW) }),
  ),
  'too many instances (413)': post(
    '/predict',
    JSON.stringify({ instances: Array.from({ length: 11 }, () => ({ age: 1 })) }),
  ),
  'unknown field (422)': post('/predict', JSON.stringify({ ...VALID_ROW, glucoze: 1 })),
  'value out of range (422)': post('/predict', JSON.stringify({ ...VALID_ROW, glucose: 601 })),
  'wrong type (422)': post('/predict', JSON.stringify({ ...VALID_ROW, age: 'fifty' })),
  'missing required feature (422)': post('/predict', JSON.stringify({ glucose: 100 })),
  'not an object (422)': post('/predict', '[1, 2, 3]'),
  'invalid v2 tensor (422)': post(
    `/v2/models/${MANIFEST.name}/infer`,
    JSON.stringify({ inputs: [{ name: 'features', shape: [1, 2], datatype: 'FP32', data: [1, 2] }] }),
  ),
  'unknown model (404)': post('/v2/models/other/infer', '{}'),
  'unknown route (404)': { method: 'GET', path: '/nowhere' },
  'wrong method (405)': { method: 'GET', path: '/predict' },
  'model metadata': { method: 'GET', path: `/v2/models/${MANIFEST.name}` },
  'positional features': post('/predict', JSON.stringify({ features: ROW })),
  'positional instances': post('/predict', JSON.stringify({ instances: [ROW, VALID_ROW] })),
  'no Content-Type': { method: 'POST', path: '/predict', body: JSON.stringify(VALID_ROW) },
  'MLflow dataframe_split': post(
    '/invocations',
    JSON.stringify({ dataframe_split: { columns: NAMES, data: [ROW, ROW] } }),
  ),
  'MLflow dataframe_records': post('/invocations', JSON.stringify({ dataframe_records: [VALID_ROW] })),
  'MLflow instances': post('/invocations', JSON.stringify({ instances: [ROW] })),
  'MLflow inputs, predict_proba': post(
    '/invocations',
    JSON.stringify({ inputs: [VALID_ROW], params: { predict_fn: 'predict_proba' } }),
  ),
  'MLflow CSV': post('/invocations', `${NAMES.join(',')}\n${ROW.join(',')}\n`, 'text/csv'),
  'MLflow invalid value (400)': post(
    '/invocations',
    JSON.stringify({ dataframe_records: [{ ...VALID_ROW, age: 300 }] }),
  ),
  'MLflow no layout (400)': post('/invocations', JSON.stringify({ rows: [VALID_ROW] })),
  'MLflow ping': { method: 'GET', path: '/ping' },
  'MLflow version': { method: 'GET', path: '/version' },
  readiness: { method: 'GET', path: '/ready' },
};

function request(name: string): HttpRequest {
  const { contentType, ...rest } = CASES[name]!;
  const headers: Record<string, string> = { 'X-Request-Id': `parity-${name.replace(/\W+/g, '-')}` };
  if (contentType) headers['Content-Type'] = contentType;
  if (rest.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(rest.body));
  return { ...rest, headers };
}

let targets: Awaited<ReturnType<typeof startTargets>>;
beforeAll(async () => {
  targets = await startTargets(ENV, ['content-type', 'x-request-id']);
});
afterAll(() => targets.shutdown());

describe.each(['rest-api-v1', 'http-api-v2', 'function-url', 'alb'] as const)('Lambda via %s', (source) => {
  it.each(Object.keys(CASES))('answers "%s" exactly as the node server does', async (name) => {
    const req = request(name);
    const [http, lambda] = await Promise.all([targets.overHttp(req), targets.throughLambda(source, req)]);
    expect(lambda).toEqual(http);
  });
});

describe('the fixed request set', () => {
  it('covers a success and every kind of refusal', async () => {
    const statuses = await Promise.all(
      Object.keys(CASES).map(async (name) => (await targets.overHttp(request(name))).status),
    );
    expect(new Set(statuses)).toEqual(new Set([200, 400, 404, 405, 413, 415, 422]));
  });
});

/**
 * A model of every other task, served by a node server and by the Lambda handler the entry point builds
 * (`createLambdaHandler` over `bootstrap`, which src/lambda/main.ts runs with the environment's configuration):
 * the same requests get the same answers, byte for byte, through every AWS front end.
 */
const TASK_CASES = {
  'multiclass (iris)': {
    dir: IRIS_DIR,
    row: IRIS_ROW,
    bad: { ...IRIS_ROW, petal_width: 'wide' },
    infer: { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: Object.values(IRIS_ROW) }] },
  },
  'regression (diabetes progression)': {
    dir: PROGRESSION_DIR,
    row: PROGRESSION_ROW,
    bad: { ...PROGRESSION_ROW, bmi: '32' },
    infer: {
      inputs: [{ name: 'features', shape: [1, 10], datatype: 'FP32', data: Object.values(PROGRESSION_ROW) }],
    },
  },
  'categorical features (readmissions)': {
    dir: READMISSIONS_DIR,
    row: READMISSIONS_ROW,
    bad: { ...READMISSIONS_ROW, race: 'Other' },
    infer: {
      inputs: [
        { name: 'features', shape: [1, 3], datatype: 'FP32', data: [71, 8.4, 3] },
        { name: 'categories', shape: [1, 2], datatype: 'BYTES', data: ['Emergency', 'African American'] },
      ],
    },
  },
};

describe.each(Object.entries(TASK_CASES))('a model of %s', (_task, model) => {
  const name = parseManifest(JSON.parse(readFileSync(join(model.dir, 'manifest.json'), 'utf8'))).name;
  const requests: Record<string, Omit<HttpRequest, 'headers'> & { contentType?: string }> = {
    'valid single row': post('/predict', JSON.stringify(model.row)),
    'valid batch': post('/predict', JSON.stringify({ instances: [model.row, model.row] })),
    'v2 inference': post(`/v2/models/${name}/infer`, JSON.stringify(model.infer)),
    'v2 model metadata': { method: 'GET', path: `/v2/models/${name}` },
    'bad input (422)': post('/predict', JSON.stringify(model.bad)),
    'what-if': post('/what-if', JSON.stringify(model.row)),
    'OpenAPI document': { method: 'GET', path: '/openapi.json' },
    'model card': { method: 'GET', path: `/models/${name}` },
  };
  let taskServer: RunningServer;
  let lambdaRuntime: Runtime;
  let taskHandler: (event: unknown, context: unknown) => Promise<LambdaHttpResult>;
  beforeAll(async () => {
    const config = { ...loadConfig({ ...ENV, MODEL_URI: model.dir }), host: '127.0.0.1', port: 0 };
    [taskServer, lambdaRuntime] = await Promise.all([startServer(config), bootstrap(config)]);
    taskHandler = createLambdaHandler(lambdaRuntime) as typeof taskHandler;
  });
  afterAll(() => Promise.all([taskServer.shutdown(), lambdaRuntime.models.close()]));

  it.each(Object.keys(requests))(
    'answers "%s" exactly as the node server does, through every front end',
    async (title) => {
      const { contentType, ...rest } = requests[title]!;
      const headers: Record<string, string> = { 'X-Request-Id': `parity-${title.replace(/\W+/g, '-')}` };
      if (contentType) headers['Content-Type'] = contentType;
      if (rest.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(rest.body));
      const req = { ...rest, headers };
      const res = await fetch(`${taskServer.url}${req.path}`, {
        method: req.method,
        headers,
        body: req.body,
      });
      const http: Answer = {
        status: res.status,
        headers: {
          'content-type': res.headers.get('content-type') ?? undefined,
          'x-request-id': res.headers.get('x-request-id') ?? undefined,
        },
        body: await res.text(),
      };
      expect(http.status).toBe(title.includes('(422)') ? 422 : 200);
      for (const source of ['rest-api-v1', 'http-api-v2', 'function-url', 'alb'] as const) {
        const result = await taskHandler(lambdaEvent(source, req), LAMBDA_CONTEXT);
        expect({
          status: result.statusCode,
          headers: {
            'content-type': resultHeader(result, 'content-type'),
            'x-request-id': resultHeader(result, 'x-request-id'),
          },
          body: resultBody(result),
        }).toEqual(http);
      }
    },
  );
});
