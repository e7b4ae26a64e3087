import type { MiddlewareHandler } from 'hono';
import { routeAccess } from '../auth/access.ts';
import type { AppEnv } from '../http/context.ts';
import type { ClientLimits } from './client-limits.ts';

/** Counts each request to a route that is not public against its client's rate (probes are never limited). */
export function limitRequests(limits: ClientLimits): MiddlewareHandler<AppEnv> {
  return async function limitRequests(c, next) {
    if (routeAccess(c) !== 'public') limits.request(c);
    return next();
  };
}
