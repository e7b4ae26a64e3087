/**
 * Authentication and scopes, on the node server over HTTP and through the Lambda handler as API Gateway (REST
 * and HTTP APIs), a Function URL and an ALB deliver requests: the same answer on every target, and the answer a
 * client relies on (401 without valid credentials, 403 without the scope, the route otherwise).
 */

import { createApiKey } from '@glyco/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IdentityProvider, startIdentityProvider } from '../../src/testing/identity-provider.ts';
import type { HttpRequest } from '../../src/testing/lambda-events.ts';
import { MANIFEST, VALID_ROW } from '../support/fixtures.ts';
import { startTargets } from '../support/targets.ts';

const predictor = createApiKey('clinic-a', ['predict']);
const reporter = createApiKey('lab-feed', ['feedback']);
const monitor = createApiKey('grafana', ['read-metrics']);
const operator = createApiKey('ops', ['admin']);
const revoked = createApiKey('revoked', ['admin']);
const AUDIENCE = 'https://glyco.example/api';

let idp: IdentityProvider;
let targets: Awaited<ReturnType<typeof startTargets>>;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  idp = await startIdentityProvider();
  const env = {
    DATABASE_URL: 'off',
    LOG_LEVEL: 'silent',
    API_KEYS: JSON.stringify({ keys: [predictor, reporter, monitor, operator].map(({ entry }) => entry) }),
    OIDC_ISSUER: idp.issuer,
    OIDC_AUDIENCE: AUDIENCE,
    OIDC_SCOPE_PREFIX: 'glyco/',
  };
  targets = await startTargets(env, ['content-type', 'www-authenticate']);
  const now = Math.floor(Date.now() / 1000);
  const valid = { aud: AUDIENCE, client_id: 'ward-app', scope: 'openid glyco/predict' };
  Object.assign(tokens, {
    valid: await idp.token(valid),
    metrics: await idp.token({ ...valid, scope: 'glyco/read-metrics' }),
    unprefixed: await idp.token({ ...valid, scope: 'predict' }),
    expired: await idp.token({ ...valid, iat: now - 600, exp: now - 60 }),
    noExpiry: await idp.token({ ...valid, exp: undefined }),
    otherAudience: await idp.token({ ...valid, aud: 'https://other.example' }),
    otherIssuer: await idp.token({ ...valid, iss: 'https://evil.example' }),
    unpublishedKey: await idp.token(valid, { unpublished: true }),
  });
});
afterAll(async () => {
  await targets.shutdown();
  await idp.close();
});

const row = JSON.stringify(VALID_ROW);
const feedback = JSON.stringify({ request_id: 'nobody', outcome: 1 });
const key = (k: { key: string }) => ({ 'X-API-Key': k.key });
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

interface Case {
  method: string;
  path: string;
  body?: string;
  headers?: () => Record<string, string>;
  status: number;
}
const CASES: Record<string, Case> = {
  'no credentials on /predict': { method: 'POST', path: '/predict', body: row, status: 401 },
  'a key the server does not hold': {
    method: 'POST',
    path: '/predict',
    body: row,
    headers: () => key(revoked),
    status: 401,
  },
  'a malformed key': {
    method: 'POST',
    path: '/predict',
    body: row,
    headers: () => ({ 'X-API-Key': 'glyco_short' }),
    status: 401,
  },
  'a predict key on /predict': {
    method: 'POST',
    path: '/predict',
    body: row,
    headers: () => key(predictor),
    status: 200,
  },
  'a predict key as a bearer token': {
    method: 'POST',
    path: '/predict',
    body: row,
    headers: () => bearer(predictor.key),
    status: 200,
  },
  'a read-metrics key on the v2 infer route': {
    method: 'POST',
    path: `/v2/models/${MANIFEST.name}/infer`,
    body: JSON.stringify({ inputs: [{ name: 'features', shape: [1, 1], datatype: 'FP32', data: [1] }] }),
    headers: () => key(monitor),
    status: 403,
  },
  'a predict key on /v1/feedback': {
    method: 'POST',
    path: '/v1/feedback',
    body: feedback,
    headers: () => key(predictor),
    status: 403,
  },
  'a feedback key on /v1/feedback (the log is off)': {
    method: 'POST',
    path: '/v1/feedback',
    body: feedback,
    headers: () => key(reporter),
    status: 503,
  },
  'a predict key on /metrics': {
    method: 'GET',
    path: '/metrics',
    headers: () => key(predictor),
    status: 403,
  },
  'a read-metrics key on /metrics': {
    method: 'GET',
    path: '/metrics',
    headers: () => key(monitor),
    status: 200,
  },
  'an admin key on /metrics': { method: 'GET', path: '/metrics', headers: () => key(operator), status: 200 },
  'a read-metrics key on /v1/models': {
    method: 'GET',
    path: '/v1/models',
    headers: () => key(monitor),
    status: 200,
  },
  'no credentials on /health': { method: 'GET', path: '/health', status: 200 },
  'no credentials on /ready': { method: 'GET', path: '/ready', status: 200 },
  'no credentials on the page': { method: 'GET', path: '/', status: 200 },
  'no credentials on /what-if': { method: 'POST', path: '/what-if', body: row, status: 401 },
  'no credentials on an unknown path': { method: 'GET', path: '/nowhere', status: 401 },
  'a key on an unknown path': { method: 'GET', path: '/nowhere', headers: () => key(predictor), status: 404 },
  'a JWT with the predict scope': {
    method: 'POST',
    path: '/predict',
    body: row,
    headers: () => bearer(tokens.valid!),
    status: 200,
  },
  'a JWT without the predict scope': {
    method: 'POST',
    path: '/predict',
    body: row,
    headers: () => bearer(tokens.metrics!),
    status: 403,
  },
  'a JWT whose scope lacks the prefix': {
    method: 'POST',
    path: '/predict',
    body: row,
    headers: () => bearer(tokens.unprefixed!),
    status: 403,
  },
  'an expired JWT': {
    method: 'POST',
    path: '/predict',
    body: row,
    headers: () => bearer(tokens.expired!),
    status: 401,
  },
  'a JWT without expiry': {
    method: 'POST',
    path: '/predict',
    body: row,
    headers: () => bearer(tokens.noExpiry!),
    status: 401,
  },
  'a JWT for another audience': {
    method: 'POST',
    path: '/predict',
    body: row,
    headers: () => bearer(tokens.otherAudience!),
    status: 401,
  },
  'a JWT of another issuer': {
    method: 'POST',
    path: '/predict',
    body: row,
    headers: () => bearer(tokens.otherIssuer!),
    status: 401,
  },
  'a JWT signed by a key the issuer does not publish': {
    method: 'POST',
    path: '/predict',
    body: row,
    headers: () => bearer(tokens.unpublishedKey!),
    status: 401,
  },
  'a Basic Authorization header': {
    method: 'GET',
    path: '/metrics',
    headers: () => ({ Authorization: 'Basic Zm9vOmJhcg==' }),
    status: 401,
  },
};

function request(name: string): HttpRequest {
  const { method, path, body, headers } = CASES[name]!;
  const all: Record<string, string> = { 'X-Request-Id': `auth-${name.replace(/\W+/g, '-')}`, ...headers?.() };
  if (body !== undefined) all['Content-Type'] = 'application/json';
  return { method, path, headers: all, ...(body === undefined ? {} : { body }) };
}

describe('on the node server', () => {
  it.each(Object.keys(CASES))('answers %s as it should', async (name) => {
    const answer = await targets.overHttp(request(name));
    expect(answer.status, answer.body).toBe(CASES[name]!.status);
    if (answer.status === 401) {
      expect(answer.headers['content-type']).toBe('application/problem+json');
      expect(answer.headers['www-authenticate']).toMatch(
        /^Bearer realm="glyco"|^Bearer error="invalid_token"/,
      );
    }
    if (answer.status === 403) expect(JSON.parse(answer.body).detail).toMatch(/needs the scope/);
  });
});

describe.each(['rest-api-v1', 'http-api-v2', 'function-url', 'alb'] as const)('Lambda via %s', (source) => {
  it.each(Object.keys(CASES))('answers %s exactly as the node server does', async (name) => {
    const req = request(name);
    const [http, lambda] = await Promise.all([targets.overHttp(req), targets.throughLambda(source, req)]);
    // /metrics counts the requests each target has seen: its body differs, its status and type do not.
    if (req.path === '/metrics' && http.status === 200) {
      expect({ ...lambda, body: '' }).toEqual({ ...http, body: '' });
    } else {
      expect(lambda).toEqual(http);
    }
  });
});

describe('the issuer’s keys', () => {
  it('are fetched once and cached across requests', async () => {
    const before = idp.jwksFetches();
    for (let i = 0; i < 5; i++)
      expect((await targets.overHttp(request('a JWT with the predict scope'))).status).toBe(200);
    expect(idp.jwksFetches()).toBe(before);
  });
});
