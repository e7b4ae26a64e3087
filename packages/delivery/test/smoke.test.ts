import { describe, expect, it } from 'vitest';
import { runSmoke, type Send, validRow } from '../src/smoke.ts';

const features = [
  { name: 'pregnant', dtype: 'integer' as const, min: 0, max: 17 },
  { name: 'glucose', dtype: 'float' as const, min: 1, max: 600 },
];

const json = (body: unknown, status = 200, type = 'application/json', headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type, ...headers } });

/** A stand-in app that behaves as the contract says, with `override` replacing one route's answer. */
function app(override: Record<string, (request: Request) => Response> = {}, mountedAt = ''): Send {
  return async (request) => {
    const { pathname: fullPath } = new URL(request.url);
    if (!fullPath.startsWith(`${mountedAt}/`)) return json({}, 404);
    const pathname = fullPath.slice(mountedAt.length);
    const route = `${request.method} ${pathname}`;
    if (override[route]) return override[route](request);
    if (route === 'GET /health' || route === 'GET /ready') return json({ status: 'ok' });
    if (route === 'GET /v1/models') return json({ models: [{ name: 'm', version: '1', features }] });
    if (route === 'POST /predict') {
      const body = (await request.json()) as Record<string, number>;
      if (body.pregnant! > 17) {
        return json({ status: 422, errors: [{ pointer: '/pregnant' }] }, 422, 'application/problem+json');
      }
      const id = request.headers.get('x-request-id') ?? 'generated';
      return json(
        { prediction: 1, probability: 0.7, risk_level: 'high', request_id: id },
        200,
        'application/json',
        {
          'x-request-id': id,
        },
      );
    }
    return json({}, 404);
  };
}

const failures = async (send: Send) =>
  (await runSmoke({ baseUrl: 'http://app.test/', send, readyTimeoutMs: 1 }))
    .filter((r) => !r.ok)
    .map((r) => r.name);

describe('the smoke suite', () => {
  it('passes an app that keeps the HTTP contract', async () => {
    expect(await failures(app())).toEqual([]);
  });

  it('fails an app that is not ready', async () => {
    expect(await failures(app({ 'GET /ready': () => json({ status: 'loading' }, 503) }))).toEqual([
      'GET /ready answers 200',
    ]);
  });

  it('fails a prediction outside the contract', async () => {
    const broken = app({ 'POST /predict': () => json({ prediction: 'yes', probability: 2 }) });
    expect(await failures(broken)).toContain('POST /predict scores a valid row');
  });

  it('fails an invalid request answered with a plain JSON error instead of a 422 problem', async () => {
    const broken = app({ 'POST /predict': () => json({ error: 'bad' }, 422) });
    expect(await failures(broken)).toContain(
      'POST /predict rejects an out-of-range value with a 422 problem',
    );
  });

  it('keeps the stage path of the base URL (API Gateway stages)', async () => {
    const results = await runSmoke({ baseUrl: 'https://api.test/prod', send: app({}, '/prod') });
    expect(results.filter((result) => !result.ok)).toEqual([]);
  });
});

describe('validRow', () => {
  it('takes the middle of each valid range, whole for integer features', () => {
    expect(validRow(features)).toEqual({ pregnant: 9, glucose: 300.5 });
  });
});
