/**
 * The throttling classes of the HTTP API's routes: the app's scopes (@glyco/contract's SCOPES), since a route's
 * scope says who calls it and how often they should. Routes that need no scope (probes, the page, the API
 * description) and paths the app does not serve take the stage's default limits through `$default`.
 */
export const ROUTE_CLASSES = ['predict', 'feedback', 'read-metrics', 'admin'] as const;
export type RouteClass = (typeof ROUTE_CLASSES)[number];

/**
 * Every route of the app that needs a scope, as an HTTP API route key, under the class of the first scope it
 * declares (`GET /v1/models` takes predict or read-metrics: its callers are the predicting clients). Each is a
 * route of its own on the API, so that its limits apply to it alone; test/routes.test.ts holds this table to
 * the routes the app mounts.
 */
export const SCOPED_ROUTES: Record<RouteClass, readonly string[]> = {
  predict: [
    'POST /predict',
    'POST /invocations',
    'POST /what-if',
    'GET /v2',
    'GET /v2/models/{name}',
    'GET /v2/models/{name}/ready',
    'POST /v2/models/{name}/infer',
    'GET /v2/models/{name}/versions/{version}',
    'GET /v2/models/{name}/versions/{version}/ready',
    'POST /v2/models/{name}/versions/{version}/infer',
    'GET /v1/models',
    'GET /v1/models/{name}',
  ],
  feedback: ['POST /v1/feedback'],
  'read-metrics': ['GET /metrics', 'GET /v1/models/{name}/drift'],
  admin: ['GET /v1/models/{name}/outcomes'],
};
