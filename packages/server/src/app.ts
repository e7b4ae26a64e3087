import { loggedDrift } from '@glyco/prediction-log';
import { Hono } from 'hono';
import type { AppDeps } from './app-deps.ts';
import { access } from './auth/access.ts';
import { authorize } from './auth/authorize.ts';
import type { AppEnv } from './http/context.ts';
import { observe } from './http/observe.ts';
import { Problem } from './http/problem.ts';
import { problemResponse } from './http/problem-response.ts';
import { limitRequests } from './limits/limit-requests.ts';
import { pageRoutes } from './page/routes.ts';
import { docsRoutes } from './routes/docs.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { mlflowRoutes } from './routes/mlflow.ts';
import { modelRoutes } from './routes/models.ts';
import { openInferenceRoutes } from './routes/open-inference.ts';
import { outcomesExportRoutes } from './routes/outcomes-export.ts';
import { predictRoutes } from './routes/predict.ts';
import { predictionLogRoutes } from './routes/prediction-log.ts';

/** The route modules, each `(deps) => Hono`; a new one is one more entry. `/` is left to the web page. */
const ROUTE_MODULES = [
  predictRoutes,
  openInferenceRoutes,
  mlflowRoutes,
  healthRoutes,
  modelRoutes,
  metricsRoutes,
  predictionLogRoutes,
  outcomesExportRoutes,
  docsRoutes,
  webPage,
];

/** The web page, whose model card shows the latest drift report when the prediction log is on. */
function webPage(deps: AppDeps): Hono<AppEnv> {
  const { reader } = deps.predictionLog;
  return pageRoutes(reader ? { ...deps, latestDrift: (manifest) => loggedDrift(reader, manifest) } : deps);
}

/**
 * The one Hono app behind every target (node server, Lambda). Every response carries the request id
 * (`X-Request-Id`, honoured when the client sends a sane one) and every error is RFC 9457 problem+json.
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(observe(deps.logger, deps.metrics));
  app.use(authorize(deps.authenticator));
  app.use(limitRequests(deps.clientLimits));
  app.onError((error, c) => {
    if (error instanceof Problem) return problemResponse(c, error);
    deps.logger.error('request failed', { request_id: c.get('requestId'), error });
    return problemResponse(
      c,
      new Problem('internal-error', 'the server failed to answer this request; it is logged'),
    );
  });
  app.notFound((c) =>
    problemResponse(c, new Problem('not-found', `no route for ${c.req.method} ${c.req.path}`)),
  );
  for (const routes of ROUTE_MODULES) app.route('/', routes(deps));
  answerOtherMethods(app);
  return app;
}

/**
 * A known path asked with a method it does not take gets 405 and `Allow`, not a misleading 404, told to any
 * client with credentials. Registered after every route, so the path's own handlers answer first.
 */
function answerOtherMethods(app: Hono<AppEnv>): void {
  const allowed = new Map<string, Set<string>>();
  for (const { method, path } of app.routes) {
    if (method === 'ALL') continue;
    const methods = allowed.get(path) ?? new Set(method === 'GET' ? ['HEAD'] : []);
    allowed.set(path, methods.add(method));
  }
  const anyClient = access('authenticated');
  for (const [path, methods] of allowed) {
    const allow = [...methods].sort().join(', ');
    app.all(path, anyClient, (c) => {
      const detail = `${c.req.method} is not allowed on ${c.req.path}; use ${allow}`;
      throw new Problem('method-not-allowed', detail, undefined, { allow });
    });
  }
}
