/**
 * Limits per client, on the node server over HTTP and through the Lambda handler alike: a client over its rate
 * gets 429 problem+json with Retry-After, another client is not slowed by it, probes are never limited.
 */
import { createApiKey } from '@glyco/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpRequest } from '../../src/testing/lambda-events.ts';
import { VALID_ROW } from '../support/fixtures.ts';
import { type Answer, startTargets } from '../support/targets.ts';

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

let targets: Awaited<ReturnType<typeof startTargets>>;
beforeAll(async () => {
  targets = await startTargets(ENV, ['content-type', 'retry-after']);
});
afterAll(() => targets.shutdown());

type Send = (request: HttpRequest) => Promise<Answer>;
const TARGETS: Record<'http' | 'lambda', Send> = {
  http: (req) => targets.overHttp(req),
  lambda: (req) => targets.throughLambda('http-api-v2', req),
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
    expect(refused!.headers['content-type']).toBe('application/problem+json');
    expect(Number(refused!.headers['retry-after'])).toBe(1);
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
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(14);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(16);
    expect(JSON.parse(refused.body).detail).toContain('over its limit of rows per second');
  });
});
