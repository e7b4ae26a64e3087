import { createApp } from '../app.ts';
import type { AppDeps } from '../app-deps.ts';
import { type DeclaredRoute, declaredRoutes } from '../auth/access.ts';

/**
 * The routes the app mounts and who may call each, for what must agree with them (the OpenAPI document, the
 * Lambda stack's API Gateway routes) without a model: registering the routes reads nothing of the app's
 * dependencies but whether the prediction log has a reader, and calls none of them.
 */
export function mountedRoutes(): DeclaredRoute[] {
  const registrationOnly = { predictionLog: { reader: undefined } } as unknown as AppDeps;
  return declaredRoutes(createApp(registrationOnly));
}
