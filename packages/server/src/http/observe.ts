import { LIVENESS_PATH, READINESS_PATH } from '@glyco/contract';
import type { Logger } from '@glyco/logger';
import { uuidV7Source } from '@glyco/prediction-log';
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { AppMetrics } from '../metrics/app-metrics.ts';
import type { AppEnv } from './context.ts';
import { completeHeaders, REQUEST_ID_HEADER } from './respond.ts';

const newRequestId = uuidV7Source();

/** A client's request id is honoured when it is a plausible id: short, no spaces or separators to forge logs. */
export const VALID_REQUEST_ID = /^[\w.:=-]{1,128}$/;

/** Probes and scrapes arrive every few seconds: their access lines are debug-level, so they do not drown the log. */
const QUIET_ROUTES = new Set([
  LIVENESS_PATH,
  READINESS_PATH,
  '/metrics',
  '/v2/health/live',
  '/v2/health/ready',
  '/ping',
]);

/** The route pattern that answered (bounded label cardinality), or `unmatched`. */
function routeLabel(c: Context): string {
  const route = routePath(c, -1);
  return route === '/*' || route === '*' || route === '' ? 'unmatched' : route;
}

/**
 * The first middleware of every request: assigns the request id (the client's `X-Request-Id` when valid, else a
 * new UUIDv7, time-ordered so that the prediction log's request-id index grows at its end), makes sure the
 * response echoes it with the security headers, times the request, counts it in the metrics and writes one JSON
 * access line carrying the id. One middleware rather than several: it runs on every request.
 */
export function observe(logger: Logger, metrics: AppMetrics): MiddlewareHandler<AppEnv> {
  return async function observe(c, next) {
    const started = performance.now();
    const given = c.req.header(REQUEST_ID_HEADER);
    const requestId = given && VALID_REQUEST_ID.test(given) ? given : newRequestId();
    c.set('requestId', requestId);
    await next();
    completeHeaders(c);
    const durationMs = performance.now() - started;
    const route = routeLabel(c);
    const { status } = c.res;
    metrics.httpRequest(c.req.method, route, status, durationMs / 1000);
    const log = QUIET_ROUTES.has(route) ? logger.debug : logger.info;
    log('request', {
      request_id: requestId,
      method: c.req.method,
      path: c.req.path,
      route,
      status,
      client: c.get('client'),
      duration_ms: Math.round(durationMs * 1000) / 1000,
    });
  };
}
