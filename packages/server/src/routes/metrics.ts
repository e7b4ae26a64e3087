import { renderPrometheus } from '@glyco/prediction-log';
import { Hono } from 'hono';
import type { AppDeps } from '../app-deps.ts';
import { access } from '../auth/access.ts';
import type { AppEnv } from '../http/context.ts';
import { respond } from '../http/respond.ts';
import { PROMETHEUS_CONTENT_TYPE } from '../metrics/prometheus.ts';

export function metricsRoutes({ metrics, models, predictionLog }: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/metrics', access(['read-metrics']), (c) => {
    const logState = predictionLog.state().state;
    metrics.serving(models.current().manifest, logState);
    // The log's counters (queued, written, spooled, replayed, duplicates, dropped) and gauges, when it is on.
    const log = logState === 'off' ? '' : renderPrometheus(predictionLog.metrics());
    return respond(c, metrics.render() + log, PROMETHEUS_CONTENT_TYPE);
  });
  return app;
}
