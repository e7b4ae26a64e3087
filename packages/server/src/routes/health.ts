import { LIVENESS_PATH, READINESS_PATH } from '@glyco/contract';
import { Hono } from 'hono';
import type { AppDeps } from '../app-deps.ts';
import { PUBLIC } from '../auth/access.ts';
import type { AppEnv } from '../http/context.ts';
import { respondJson } from '../http/respond.ts';

/** Liveness (the process answers) and readiness (a model is loaded and the server is not shutting down). */
export function healthRoutes({ models, predictionLog, isDraining }: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get(LIVENESS_PATH, PUBLIC, (c) => respondJson(c, { status: 'ok' }));
  app.get(READINESS_PATH, PUBLIC, (c) => {
    const { name, version } = models.current().manifest;
    const alias = models.alias();
    // A degraded prediction log spools to disk and predictions still succeed: it is reported, not fatal.
    const body = { model: { name, version, ...(alias && { alias }) }, prediction_log: predictionLog.state() };
    return isDraining()
      ? respondJson(c, { status: 'draining', ...body }, 503)
      : respondJson(c, { status: 'ready', ...body });
  });
  return app;
}
