import type { Scope } from '@glyco/contract';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { AppEnv } from '../http/context.ts';

/**
 * Who may call a route: anyone (`public`), any client with valid credentials (`authenticated`), or a client
 * holding one of the scopes listed.
 */
export type Access = 'public' | 'authenticated' | readonly Scope[];

const declared = new WeakMap<object, Access>();

/**
 * Declares, where a route is registered, who may call it: `app.post('/predict', access(['predict']), handler)`.
 * The middleware itself does nothing; the app's `authorize` middleware finds it among the request's matched
 * routes and checks it before any handler runs. A route that declares nothing needs `admin`.
 */
export function access(required: Access): MiddlewareHandler<AppEnv> {
  const declaration: MiddlewareHandler<AppEnv> = (_c, next) => next();
  declared.set(declaration, required);
  return declaration;
}

/** Liveness and readiness probes, the page's shell and assets, the API description. */
export const PUBLIC = access('public');

/** The scope a route needs when it declares none: the strictest, so that a forgotten route is closed. */
const UNDECLARED: Access = ['admin'];

/**
 * What the request's route declared. A request no route answers (a 404 to come) needs credentials but no scope,
 * so that which paths exist is told to clients only.
 */
export function routeAccess(c: Context<AppEnv>): Access {
  let routeMatched = false;
  for (const { handler, path } of matchedRoutes(c)) {
    const required = declarationOf(handler);
    if (required) return required;
    if (path !== '*' && path !== '/*') routeMatched = true;
  }
  return routeMatched ? UNDECLARED : 'authenticated';
}

/**
 * Hono's `route()` wraps the handlers of an app with an error handler of its own when it mounts it in another
 * (as the benchmark's server does), keeping the original under this key (hono@4.13.19, src/hono-base.ts `route`).
 */
const COMPOSED_HANDLER = '__COMPOSED_HANDLER';

function declarationOf(handler: unknown): Access | undefined {
  for (let current = handler; typeof current === 'function'; ) {
    const required = declared.get(current);
    if (required) return required;
    current = (current as unknown as Record<string, unknown>)[COMPOSED_HANDLER];
  }
  return undefined;
}

/** Whether a client holding `scopes` may call a route that needs `required`. */
export function allows(required: Access, scopes: ReadonlySet<Scope>): boolean {
  if (required === 'public' || required === 'authenticated') return true;
  return scopes.has('admin') || required.some((scope) => scopes.has(scope));
}

/** A route an app mounts: its method, its path in OpenAPI's spelling (`/v1/models/{name}`), who may call it. */
export interface DeclaredRoute {
  method: string;
  path: string;
  access: Access;
}

/**
 * Every route an app mounts, once per method and path, with the access it declared (`admin` when it declared
 * none). Middleware and the 405 answers (`ALL`) are not routes a client calls.
 */
export function declaredRoutes(app: Hono<AppEnv>): DeclaredRoute[] {
  const routes = new Map<string, DeclaredRoute>();
  for (const { method, path, handler } of app.routes) {
    if (method === 'ALL') continue;
    const key = `${method} ${path}`;
    const route = routes.get(key) ?? { method, path: path.replace(/:(\w+)/g, '{$1}'), access: UNDECLARED };
    const required = declarationOf(handler);
    if (required && route.access === UNDECLARED) route.access = required;
    routes.set(key, route);
  }
  return [...routes.values()];
}
