import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ServingModel } from '../../src/model/serving-model.ts';
import { ProblemSchema, ReadySchema } from '../../src/openapi/response-schemas.ts';
import { schemasFor } from '../../src/validation/model-schemas.ts';
import { JSON_HEADERS, MANIFEST, MODEL_DIR, testRuntime, VALID_ROW } from '../support/fixtures.ts';

let runtime: Awaited<ReturnType<typeof testRuntime>>;
beforeAll(async () => {
  runtime = await testRuntime();
});
afterAll(() => runtime.models.close());

const get = (path: string, headers: Record<string, string> = {}) => runtime.app.request(path, { headers });
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const predict = (headers: Record<string, string> = {}) =>
  runtime.app.request('/predict', {
    method: 'POST',
    headers: { ...JSON_HEADERS, ...headers },
    body: JSON.stringify(VALID_ROW),
  });

describe('request ids and headers', () => {
  it('honours a sane X-Request-Id and echoes it in the header, the body and the access log', async () => {
    const res = await predict({ 'x-request-id': 'client-id-42' });
    expect(res.headers.get('x-request-id')).toBe('client-id-42');
    expect((await res.json()).request_id).toBe('client-id-42');
    runtime.logger.flush();
    expect(runtime.lines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        msg: 'request',
        request_id: 'client-id-42',
        route: '/predict',
        status: 200,
      }),
    );
  });

  it('replaces an X-Request-Id that could forge log lines with a fresh, time-ordered UUIDv7', async () => {
    const replaced = (await predict({ 'x-request-id': 'not an id <script>' })).headers.get('x-request-id');
    const fresh = (await predict()).headers.get('x-request-id');
    for (const id of [replaced, fresh]) expect(id).toMatch(UUID_V7);
    expect(replaced! < fresh!).toBe(true);
  });

  it('sends the security headers with every response, errors included', async () => {
    for (const res of [await predict(), await get('/nope'), await get('/metrics')]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers.get('x-request-id')).toBeTruthy();
    }
  });

  it('answers a known path asked with another method with 405 and Allow', async () => {
    const res = await get('/predict');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(ProblemSchema.parse(await res.json()).detail).toBe('GET is not allowed on /predict; use POST');
    const metadata = await runtime.app.request(`/v2/models/${MANIFEST.name}`, { method: 'DELETE' });
    expect(metadata.status).toBe(405);
    expect(metadata.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers unknown routes with a problem+json 404', async () => {
    const res = await get('/nope');
    expect(res.status).toBe(404);
    expect(ProblemSchema.parse(await res.json()).detail).toBe('no route for GET /nope');
  });
});

describe('health and readiness', () => {
  it('reports liveness, and readiness with the model and the prediction log state', async () => {
    expect(await (await get('/health')).json()).toEqual({ status: 'ok' });
    const ready = await get('/ready');
    expect(ready.status).toBe(200);
    expect(ReadySchema.parse(await ready.json())).toEqual({
      status: 'ready',
      model: { name: MANIFEST.name, version: MANIFEST.version },
      prediction_log: { state: 'off' },
    });
  });

  it('turns readiness to 503 while draining, liveness stays 200', async () => {
    const stopping = await testRuntime();
    stopping.startDraining();
    try {
      expect((await stopping.app.request('/ready')).status).toBe(503);
      expect((await stopping.app.request('/v2/health/ready')).status).toBe(503);
      // SageMaker and MLflow's clients probe /ping: a server shutting down takes no new work.
      expect((await stopping.app.request('/ping')).status).toBe(503);
      expect((await stopping.app.request('/health')).status).toBe(200);
    } finally {
      await stopping.models.close();
    }
  });

  it('logs probes at debug level only', async () => {
    await get('/health', { 'x-request-id': 'probe-1' });
    runtime.logger.flush();
    expect(runtime.lines.find((line) => line.request_id === 'probe-1')).toMatchObject({ level: 'debug' });
  });
});

describe('GET /metrics', () => {
  it('exposes request counts and latencies by route and status, batches, inference time and the model', async () => {
    await predict();
    await get('/nope');
    const res = await get('/metrics');
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toMatch(/^glyco_http_requests_total\{method="POST",route="\/predict",status="200"\} \d+$/m);
    expect(text).toMatch(/^glyco_http_requests_total\{method="GET",route="unmatched",status="404"\} \d+$/m);
    expect(text).toMatch(
      /^glyco_http_request_duration_seconds_bucket\{method="POST",route="\/predict",status="200",le="0.005"\} \d+$/m,
    );
    expect(text).toMatch(/^glyco_inference_duration_seconds_count [1-9]\d*$/m);
    expect(text).toMatch(/^glyco_inference_batch_rows_bucket\{le="1"\} [1-9]\d*$/m);
    expect(text).toMatch(
      new RegExp(
        `^glyco_predictions_total\\{model="pima-diabetes",version="${MANIFEST.version.replaceAll('.', '\\.')}"\\} [1-9]\\d*$`,
        'm',
      ),
    );
    expect(text).toContain(
      `glyco_model_info{name="${MANIFEST.name}",version="${MANIFEST.version}",sha256="${MANIFEST.onnx.sha256}",algorithm="${MANIFEST.algorithm.name}"} 1`,
    );
    expect(text).toContain('glyco_prediction_log_state{state="off"} 1');
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
  });
});

describe('manifests and API documents', () => {
  it('lists the served model manifests', async () => {
    expect(await (await get('/v1/models')).json()).toEqual({ models: [MANIFEST] });
    expect(await (await get(`/v1/models/${MANIFEST.name}`)).json()).toEqual(MANIFEST);
    expect((await get('/v1/models/other')).status).toBe(404);
  });

  it('generates /openapi.json from the schemas that validate requests', async () => {
    const document = await (await get('/openapi.json')).json();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/predict',
        '/v2/models/{name}/infer',
        '/v2/models/{name}/versions/{version}/infer',
        '/health',
        '/ready',
        '/metrics',
        '/v1/models',
        '/invocations',
        '/ping',
        '/version',
      ]),
    );
    const { $schema: _schema, ...validating } = z.toJSONSchema(schemasFor(MANIFEST, 1000).request.row, {
      io: 'input',
    });
    expect(document.components.schemas.FeatureRow).toEqual(validating);
    expect(document.components.schemas.FeatureRow.required).toEqual(['pregnant', 'pedigree', 'age']);
    expect(document.components.schemas.FeatureRow.properties.glucose.description).toContain('mg/dL');
    expect(document.components.schemas.Instances.properties.instances).toMatchObject({
      maxItems: 1000,
      minItems: 1,
    });
    const mlflowExample = document.paths['/invocations'].post.requestBody.content['application/json'].example;
    const invoked = await runtime.app.request('/invocations', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify(mlflowExample),
    });
    expect(invoked.status).toBe(200);
    const example = document.paths['/predict'].post.requestBody.content['application/json'].example;
    expect(
      (
        await runtime.app.request('/predict', {
          method: 'POST',
          headers: JSON_HEADERS,
          body: JSON.stringify(example),
        })
      ).status,
    ).toBe(200);
  });

  it('serves Swagger UI and its assets from the app itself, under a same-origin-only policy', async () => {
    const res = await get('/docs');
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self';");
    const html = await res.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(assets).toHaveLength(3);
    for (const asset of assets) {
      expect(asset).toMatch(/^\/docs\/assets\/[\d.]+\//);
      const served = await get(asset);
      expect(served.status).toBe(200);
      expect(served.headers.get('cache-control')).toContain('immutable');
      expect((await served.text()).length).toBeGreaterThan(50);
    }
    expect((await get('/docs/assets/5.35.0/package.json')).status).toBe(404);
  });
});

describe('failures inside the app', () => {
  it('answer 500 problem+json without internals, and log the error with the request id', async () => {
    const failing = new ServingModel(
      {
        directory: MODEL_DIR,
        manifest: MANIFEST,
        engine: { run: () => Promise.reject(new Error('native session failed')), release: async () => {} },
      },
      { maxBatchRows: 16, maxWaitMs: 0 },
    );
    const broken = await testRuntime();
    await broken.models.swap(failing);
    const res = await broken.app.request('/predict', {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'x-request-id': 'boom-1' },
      body: JSON.stringify(VALID_ROW),
    });
    expect(res.status).toBe(500);
    const problem = ProblemSchema.parse(await res.json());
    expect(problem.detail).toBe('the server failed to answer this request; it is logged');
    broken.logger.flush();
    expect(broken.lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        request_id: 'boom-1',
        error: expect.objectContaining({ message: 'native session failed' }),
      }),
    );
    await broken.models.close();
  });
});
