import { createApiKey } from '@glyco/contract';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { access } from '../../src/auth/access.ts';
import type { Runtime } from '../../src/bootstrap.ts';
import type { AppEnv } from '../../src/http/context.ts';
import { createLambdaHandler } from '../../src/lambda/handler.ts';
import { type LambdaHttpResult, lambdaEvent } from '../../src/testing/lambda-events.ts';
import { JSON_HEADERS, recordingLog, testRuntime, VALID_ROW } from '../support/fixtures.ts';
import { LAMBDA_CONTEXT } from '../support/lambda-events.ts';

const predictor = createApiKey('clinic-a', ['predict']);
const operator = createApiKey('ops', ['admin']);
let runtime: Runtime & { lines: Record<string, unknown>[] };
beforeAll(async () => {
  runtime = await testRuntime({
    env: { API_KEYS: JSON.stringify({ keys: [predictor.entry, operator.entry] }) },
  });
  // Routes added the way a new route module adds them: one declares its scope, one forgets to.
  const added = new Hono<AppEnv>();
  added.get('/forgotten', (c) => c.text('forgotten'));
  added.get('/declared', access(['predict']), (c) => c.text('declared'));
  runtime.app.route('/', added);
});
afterAll(() => runtime.models.close());

const get = (path: string, apiKey?: string) =>
  runtime.app.request(path, { headers: apiKey ? { 'X-API-Key': apiKey } : {} });

describe('a route that declares no access', () => {
  it('is closed to every client but admin', async () => {
    expect((await get('/forgotten')).status).toBe(401);
    expect((await get('/forgotten', predictor.key)).status).toBe(403);
    expect((await get('/forgotten', operator.key)).status).toBe(200);
  });

  it('sits beside declared routes that stay usable', async () => {
    expect((await get('/declared', predictor.key)).status).toBe(200);
  });
});

describe('the MLflow routes and a direct Lambda invocation, with authentication on', () => {
  it('leave /ping and /version public, need predict on /invocations, and trust what IAM let invoke', async () => {
    expect((await get('/ping')).status).toBe(200);
    expect((await get('/version')).status).toBe(200);
    const invocations = (apiKey?: string) =>
      runtime.app.request('/invocations', {
        method: 'POST',
        headers: { ...JSON_HEADERS, ...(apiKey ? { 'X-API-Key': apiKey } : {}) },
        body: JSON.stringify({ instances: [VALID_ROW] }),
      });
    expect((await invocations()).status).toBe(401);
    expect((await invocations(predictor.key)).status).toBe(200);
    // Invoked directly, the function got past IAM (lambda:InvokeFunction): the payload carries no key.
    const handler = createLambdaHandler(runtime);
    const answer = (await handler(VALID_ROW, LAMBDA_CONTEXT)) as { probability?: number; status?: number };
    expect(answer.probability).toBeGreaterThan(0);
    // An HTTP event cannot pass for one.
    const event = lambdaEvent('function-url', {
      method: 'POST',
      path: '/predict',
      headers: JSON_HEADERS,
      body: JSON.stringify(VALID_ROW),
    });
    expect(((await handler(event, LAMBDA_CONTEXT)) as LambdaHttpResult).statusCode).toBe(401);
  });
});

describe('the app mounted in another Hono app', () => {
  it('keeps each route’s declared access', async () => {
    const outer = new Hono();
    outer.route('/', runtime.app);
    expect((await outer.request('/health')).status).toBe(200);
    expect((await outer.request('/metrics')).status).toBe(401);
    expect((await outer.request('/declared', { headers: { 'X-API-Key': predictor.key } })).status).toBe(200);
  });
});

describe('the access log', () => {
  it('names the client of each request, never the key', async () => {
    await get('/declared', predictor.key);
    runtime.logger.flush();
    const line = runtime.lines.findLast((l) => l.msg === 'request' && l.path === '/declared');
    expect(line).toMatchObject({ client: 'key:clinic-a', status: 200 });
    expect(JSON.stringify(runtime.lines)).not.toContain(predictor.key);
  });

  it('says at startup that authentication is on and what it accepts', () => {
    runtime.logger.flush();
    expect(runtime.lines).toContainEqual(
      expect.objectContaining({ msg: 'authentication on', accepts: '2 API keys' }),
    );
  });
});

describe('without credentials configured', () => {
  it('leaves every route open and says so, and why, in one line', async () => {
    const open = await testRuntime();
    try {
      expect((await open.app.request('/metrics')).status).toBe(200);
      open.logger.flush();
      const line = open.lines.find((l) => String(l.msg).startsWith('authentication off'));
      expect(line).toMatchObject({ level: 'info', host: '127.0.0.1' });
      expect(line?.msg).toContain('only this machine can connect');
    } finally {
      await open.models.close();
    }
  });
});

describe('the prediction log and the application log', () => {
  it('record which client sent each prediction, and no request body', async () => {
    const log = recordingLog();
    const logged = await testRuntime({
      predictionLog: log,
      env: { API_KEYS: JSON.stringify({ keys: [predictor.entry] }) },
    });
    try {
      // A value no log line has a reason to hold, in a valid body and in refused ones.
      const marked = { ...VALID_ROW, pedigree: 1.2345 };
      const send = (body: unknown) =>
        logged.app.request('/predict', {
          method: 'POST',
          headers: { ...JSON_HEADERS, 'X-API-Key': predictor.key },
          body: JSON.stringify(body),
        });
      expect((await send({ instances: [marked, marked] })).status).toBe(200);
      expect((await send({ ...marked, glucose: 'high' })).status).toBe(422);
      expect((await send({ ...marked, unknown_feature: 1.2345 })).status).toBe(422);
      expect(log.records.map((record) => record.client)).toEqual(['key:clinic-a', 'key:clinic-a']);
      logged.logger.flush();
      expect(logged.lines.filter((line) => line.msg === 'request')).toHaveLength(3);
      expect(JSON.stringify(logged.lines)).not.toContain('1.2345');
    } finally {
      await logged.models.close();
    }
  });
});
