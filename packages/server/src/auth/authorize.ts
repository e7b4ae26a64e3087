import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/context.ts';
import { Problem } from '../http/problem.ts';
import { allows, routeAccess } from './access.ts';
import type { Authenticator } from './authenticator.ts';
import type { Client } from './client.ts';

/**
 * A direct Lambda invocation carries no credentials: IAM authorized it (lambda:InvokeFunction) before it ran.
 * Only the handler's own code marks a request so (src/lambda/direct-invocation.ts); an HTTP event cannot.
 */
const DIRECT_INVOCATION: Client = { id: 'lambda:invoke', scopes: new Set(['predict']) };

function isDirectInvocation(c: Context<AppEnv>): boolean {
  return (c.env as { directInvocation?: unknown } | undefined)?.directInvocation === true;
}

/**
 * Checks, before any route runs, that the request's credentials allow what its route declared (see `access`),
 * and names the client for the routes and the access log. Without an authenticator every route is open.
 */
export function authorize(authenticator: Authenticator | undefined): MiddlewareHandler<AppEnv> {
  return async function authorize(c, next) {
    if (!authenticator) return next();
    const required = routeAccess(c);
    if (required === 'public') return next();
    const client = isDirectInvocation(c)
      ? DIRECT_INVOCATION
      : await authenticator.authenticate(c.req.raw.headers);
    c.set('client', client.id);
    if (!allows(required, client.scopes)) {
      const needed = typeof required === 'string' ? required : required.join(' or ');
      throw new Problem(
        'forbidden',
        `${client.id} may not call ${c.req.method} ${c.req.path}: it needs the scope ${needed}`,
      );
    }
    return next();
  };
}
