import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@glyco/logger';
import { openPredictionLog } from '@glyco/prediction-log';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap.ts';
import {
  BatchPredictResponseSchema,
  PredictResponseSchema,
  ProblemSchema,
} from '../../src/openapi/response-schemas.ts';
import { freePort } from '../../src/testing/free-port.ts';
import { JSON_HEADERS, MANIFEST, recordingLog, testRuntime, VALID_ROW } from '../support/fixtures.ts';

let runtime: Runtime;
const log = recordingLog();
beforeAll(async () => {
  runtime = await testRuntime({ predictionLog: log, env: { MAX_INSTANCES: '50', MAX_BODY_BYTES: '4096' } });
});
afterAll(() => runtime.models.close());

/** VALID_ROW as a list, in the model's feature order. */
const POSITIONAL = MANIFEST.features.map((feature) => VALID_ROW[feature.name as keyof typeof VALID_ROW]);

const post = (body: string, headers: Record<string, string> = JSON_HEADERS) =>
  runtime.app.request('/predict', { method: 'POST', headers, body });

describe('POST /predict', () => {
  it('answers one flat object with one prediction, the model and the request id', async () => {
    const res = await post(JSON.stringify(VALID_ROW));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = PredictResponseSchema.parse(await res.json());
    expect(body.model).toEqual({ name: MANIFEST.name, version: MANIFEST.version });
    expect(body.request_id).toBe(res.headers.get('x-request-id'));
    expect(MANIFEST.target.classLabels[body.prediction]).toBe(body.label);
    const { medium, high } = MANIFEST.riskThresholds;
    expect(body.risk_level).toBe(
      body.probability >= high ? 'high' : body.probability >= medium ? 'medium' : 'low',
    );
  });

  it('answers instances with one prediction per row, in order', async () => {
    const rows = [
      VALID_ROW,
      { ...VALID_ROW, glucose: 80, mass: 22, age: 22 },
      { ...VALID_ROW, glucose: 197, age: 60 },
    ];
    const res = await post(JSON.stringify({ instances: rows }));
    expect(res.status).toBe(200);
    const body = BatchPredictResponseSchema.parse(await res.json());
    expect(body.predictions).toHaveLength(3);
    const singles = await Promise.all(
      rows.map(async (row) => PredictResponseSchema.parse(await (await post(JSON.stringify(row))).json())),
    );
    expect(body.predictions.map((p) => p.probability)).toEqual(singles.map((s) => s.probability));
    expect(body.predictions[1]!.probability).toBeLessThan(body.predictions[2]!.probability);
  });

  it('logs one record per row, with the answer it gave, the inputs as sent and null for missing', async () => {
    log.records.length = 0;
    const res = await post(
      JSON.stringify({ instances: [VALID_ROW, { pregnant: 1, pedigree: 0.2, age: 30 }] }),
      { ...JSON_HEADERS, 'x-request-id': 'log-test-1' },
    );
    const body = BatchPredictResponseSchema.parse(await res.json());
    expect(log.records).toHaveLength(2);
    expect(log.records[0]).toMatchObject({
      requestId: 'log-test-1',
      modelName: MANIFEST.name,
      modelVersion: MANIFEST.version,
      inputs: { ...VALID_ROW, insulin: null },
      outputs: {
        prediction: body.predictions[0]!.prediction,
        label: body.predictions[0]!.label,
        probability: body.predictions[0]!.probability,
        riskLevel: body.predictions[0]!.risk_level,
      },
    });
    expect(log.records[1]!.inputs).toEqual({
      pregnant: 1,
      glucose: null,
      pressure: null,
      triceps: null,
      insulin: null,
      mass: null,
      pedigree: 0.2,
      age: 30,
    });
    expect(log.records[0]!.latencyMs).toBeGreaterThan(0);
  });

  it('logs nothing for a rejected request', async () => {
    log.records.length = 0;
    await post(JSON.stringify({ ...VALID_ROW, age: -3 }));
    expect(log.records).toEqual([]);
  });

  it.each([
    ['malformed JSON', '{"age": 5,', JSON_HEADERS, 400, 'the request body is not valid JSON: '],
    ['an empty body', '', JSON_HEADERS, 400, 'the request body is empty: send a JSON object'],
    [
      'a form body',
      'age=5',
      { 'content-type': 'application/x-www-form-urlencoded' },
      415,
      'the body must be sent as Content-Type: application/json (got "application/x-www-form-urlencoded")',
    ],
    [
      'a text/plain body',
      '{}',
      { 'content-type': 'text/plain' },
      415,
      'the body must be sent as Content-Type: application/json (got "text/plain")',
    ],
    [
      'positional features of the wrong length',
      JSON.stringify({ features: [1, 2, 3] }),
      JSON_HEADERS,
      422,
      `features must hold ${MANIFEST.features.length} values, the features in the model's order: pregnant, glucose,`,
    ],
    [
      'a positional value out of range, by its index',
      JSON.stringify({ features: POSITIONAL.with(7, 500) }),
      JSON_HEADERS,
      422,
      'features[7] (age) must be at most 120 years',
    ],
    [
      'a positional instance of the wrong length',
      JSON.stringify({ instances: [POSITIONAL, [1]] }),
      JSON_HEADERS,
      422,
      'instances[1] must hold 8 values',
    ],
    [
      'an unknown field',
      JSON.stringify({ ...VALID_ROW, glucoze: 1 }),
      JSON_HEADERS,
      422,
      'glucoze is not a known field; did you mean "glucose"?',
    ],
    [
      'a value out of range',
      JSON.stringify({ ...VALID_ROW, age: 200 }),
      JSON_HEADERS,
      422,
      'age must be at most 120 years',
    ],
    [
      'too many instances',
      JSON.stringify({ instances: Array.from({ length: 51 }, () => ({ age: 1 })) }),
      JSON_HEADERS,
      413,
      'instances holds 51 rows; at most 50 are allowed per request',
    ],
    [
      'a body over the size limit',
      JSON.stringify({ instances: Array.from({ length: 40 }, () => VALID_ROW) }),
      JSON_HEADERS,
      413,
      'the request body exceeds the limit of 4096 bytes',
    ],
  ])('answers %s with a problem+json %i', async (_case, body, headers, status, detail) => {
    const res = await post(body, headers as Record<string, string>);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = ProblemSchema.parse(await res.json());
    expect(problem.status).toBe(status);
    expect(problem.detail.startsWith(detail)).toBe(true);
    expect(problem.request_id).toBe(res.headers.get('x-request-id'));
  });

  it('reads a body sent without Content-Type as JSON (API Gateway consoles and scripts send none)', async () => {
    // Bytes, not a string: a Request made from a string gets text/plain by default.
    const body = new TextEncoder().encode(JSON.stringify(VALID_ROW));
    const res = await runtime.app.request('/predict', { method: 'POST', body });
    expect(res.status).toBe(200);
    expect(PredictResponseSchema.parse(await res.json()).probability).toBeGreaterThan(0);
  });

  it('answers {"features": [...]} in the model\'s feature order as the same row by name', async () => {
    const [byName, byPosition] = await Promise.all([
      post(JSON.stringify(VALID_ROW)),
      post(JSON.stringify({ features: POSITIONAL })),
    ]);
    expect(byPosition.status).toBe(200);
    const [named, positional] = [byName, byPosition].map(async (res) => {
      const { request_id: _, ...answer } = PredictResponseSchema.parse(await res.json());
      return answer;
    });
    expect(await positional).toEqual(await named);
  });

  it('answers instances of positional lists, mixed with objects, row for row', async () => {
    log.records.length = 0;
    const res = await post(JSON.stringify({ instances: [POSITIONAL, VALID_ROW, POSITIONAL.with(1, 80)] }));
    expect(res.status).toBe(200);
    const { predictions } = BatchPredictResponseSchema.parse(await res.json());
    expect(predictions[0]).toEqual(predictions[1]);
    expect(predictions[2]!.probability).toBeLessThan(predictions[0]!.probability);
    expect(log.records[2]!.inputs).toEqual({ ...VALID_ROW, glucose: 80, insulin: null });
  });

  it('applies the size limit to a chunked body that declares no length', async () => {
    const chunk = new TextEncoder().encode(' '.repeat(1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await runtime.app.request('/predict', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(sent).toBeLessThan(8);
  });
});

describe('POST /predict with PREDICTION_LOG_DURABILITY=strict', () => {
  it('answers 503 problem+json, to be asked again, when the log can keep the prediction neither in the database nor in the spool', async () => {
    const spoolDir = await mkdtemp(join(tmpdir(), 'glyco-strict-spool-'));
    // Nothing listens on that port, and a spool of one byte takes no record.
    const predictionLog = await openPredictionLog({
      database: { url: `postgres://glyco@127.0.0.1:${await freePort()}/glyco` },
      durability: 'strict',
      spoolDir,
      maxSpoolBytes: 1,
      logger: createLogger({ level: 'silent' }),
    });
    const strict = await testRuntime({ predictionLog });
    try {
      const res = await strict.app.request('/predict', {
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify(VALID_ROW),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      const problem = ProblemSchema.parse(await res.json());
      expect(problem.type).toBe('urn:glyco:problem:not-logged');
      expect(problem.detail).toMatch(/^the prediction could not be logged \(could not write the spool/);
      expect(predictionLog.metrics()).toMatchObject({ queued: 1, dropped: 1 });
    } finally {
      await strict.models.close();
      await predictionLog.close();
      await rm(spoolDir, { recursive: true, force: true });
    }
  });
});
