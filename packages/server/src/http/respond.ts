import type { Context } from 'hono';
import type { AppEnv } from './context.ts';

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * Sent with every response. Predictions are health data: nothing may cache them. The API serves no HTML except
 * `/docs`, which sets its own policy.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/** Responses built here already carry the request id and the security headers. */
const complete = new WeakSet<Response>();

/**
 * A response with the request id and security headers in one plain header object. Hono's `c.header()` and
 * `c.json()` build a WHATWG Headers object per response, which costs more than the rest of a prediction; a
 * plain object takes @hono/node-server's fast path.
 */
export function respond(
  c: Context<AppEnv>,
  body: string | ReadableStream<Uint8Array>,
  contentType: string,
  status = 200,
  headers?: Readonly<Record<string, string>>,
): Response {
  const response = new Response(body, {
    status,
    headers: {
      'content-type': contentType,
      [REQUEST_ID_HEADER]: c.get('requestId'),
      ...SECURITY_HEADERS,
      ...headers,
    },
  });
  complete.add(response);
  return response;
}

export function respondJson(c: Context<AppEnv>, body: unknown, status = 200): Response {
  return respond(c, JSON.stringify(body), 'application/json', status);
}

/** For responses built elsewhere (Hono helpers in other route modules): adds what `respond` would have. */
export function completeHeaders(c: Context<AppEnv>): void {
  if (complete.has(c.res)) return;
  c.header(REQUEST_ID_HEADER, c.get('requestId'));
  for (const name in SECURITY_HEADERS) if (!c.res.headers.has(name)) c.header(name, SECURITY_HEADERS[name]);
}
