import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-deps.ts';
import { respond } from '../http/respond.ts';
import { PROMETHEUS_CONTENT_TYPE } from '../metrics/prometheus.ts';

export function metricsRoutes({ metrics, models, predictionLog }: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/metrics', (c) => {
    metrics.serving(models.current().manifest, predictionLog.state().state);
    return respond(c, metrics.render(), PROMETHEUS_CONTENT_TYPE);
  });
  return app;
}
