/**
 * Limits per client, on the node server over HTTP and through the Lambda handler alike: a client over its rate
 * gets 429 problem+json with Retry-After, another client is not slowed by it, probes are never limited.
 */
import { createApiKey } from '@glyco/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { type RunningServer, startServer } from '../../src/node/server.ts';
import { type HttpRequest, type LambdaHttpResult, lambdaEvent } from '../../src/testing/lambda-events.ts';
import { VALID_ROW } from '../support/fixtures.ts';
import { LAMBDA_CONTEXT, resultBody, resultHeader } from '../support/lambda-events.ts';

const clients = Object.fromEntries(
  ['http-burst', 'http-batch', 'http-other', 'lambda-burst', 'lambda-batch', 'lambda-other'].map((name) => [
    name,
    createApiKey(name, ['predict']),
  ]),
);
// 1 request and 1 row per second, 10 seconds' worth at once.
const ENV = {
  DATABASE_URL: 'off',
  LOG_LEVEL: 'silent',
  API_KEYS: JSON.stringify({ keys: Object.values(clients).map(({ entry }) => entry) }),
  RATE_LIMIT_REQUESTS_PER_SECOND: '1',
  RATE_LIMIT_ROWS_PER_SECOND: '1',
  RATE_LIMIT_BURST_SECONDS: '10',
};
const BURST = 10;

let server: RunningServer;
let handler: (event: unknown, context: unknown) => Promise<LambdaHttpResult>;
beforeAll(async () => {
  Object.assign(process.env, ENV);
  [server, { handler }] = await Promise.all([
    startServer({ ...loadConfig(ENV), host: '127.0.0.1', port: 0 }),
    import('../../src/lambda/main.ts') as Promise<{ handler: typeof handler }>,
  ]);
});
afterAll(() => server.shutdown());

interface Answer {
  status: number;
  retryAfter: string | undefined;
  contentType: string | undefined;
  body: string;
}
type Send = (request: HttpRequest) => Promise<Answer>;

const TARGETS: Record<'http' | 'lambda', Send> = {
  async http(req) {
    const res = await fetch(`${server.url}${req.path}`, {
      method: req.method,
      headers: req.headers,
      body: req.body,
    });
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after') ?? undefined,
      contentType: res.headers.get('content-type') ?? undefined,
      body: await res.text(),
    };
  },
  async lambda(req) {
    const result = await handler(lambdaEvent('http-api-v2', req), LAMBDA_CONTEXT);
    return {
      status: result.statusCode,
      retryAfter: resultHeader(result, 'retry-after'),
      contentType: resultHeader(result, 'content-type'),
      body: resultBody(result),
    };
  },
};

const predict = (client: string, rows = 1): HttpRequest => ({
  method: 'POST',
  path: '/predict',
  headers: { 'content-type': 'application/json', 'x-api-key': clients[client]!.key },
  body: JSON.stringify(rows === 1 ? VALID_ROW : { instances: Array.from({ length: rows }, () => VALID_ROW) }),
});

describe.each(['http', 'lambda'] as const)('limits per client on %s', (target) => {
  const send = TARGETS[target];

  it('answer 429 with Retry-After once a client has spent its burst of requests', async () => {
    const started = performance.now();
    let accepted = 0;
    let refused: Answer | undefined;
    while (!refused && accepted < 100) {
      const answer = await send(predict(`${target}-burst`));
      if (answer.status === 429) refused = answer;
      else accepted++;
    }
    const seconds = (performance.now() - started) / 1000;
    // The burst, plus at most one request per second the test took (the bucket refills meanwhile).
    expect(accepted).toBeGreaterThanOrEqual(BURST);
    expect(accepted).toBeLessThanOrEqual(BURST + Math.ceil(seconds));
    expect(refused!.contentType).toBe('application/problem+json');
    expect(Number(refused!.retryAfter)).toBe(1);
    expect(JSON.parse(refused!.body).detail).toContain(
      `key:${target}-burst is over its limit of requests per second`,
    );
    // Another client, and the probes, are served meanwhile.
    expect((await send(predict(`${target}-other`))).status).toBe(200);
    expect((await send({ method: 'GET', path: '/ready', headers: {} })).status).toBe(200);
  });

  it('count rows: a batch above the burst passes once, then the client waits it off', async () => {
    expect((await send(predict(`${target}-batch`, 25))).status).toBe(200);
    const refused = await send(predict(`${target}-batch`));
    expect(refused.status).toBe(429);
    // 25 rows from a bucket of 10 at 1 row per second: 16 seconds before one more row (less what has passed).
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(14);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(16);
    expect(JSON.parse(refused.body).detail).toContain('over its limit of rows per second');
  });
});
