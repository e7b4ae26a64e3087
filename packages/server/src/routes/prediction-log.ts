import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-deps.ts';
import { predictionLogRoutes } from '../prediction-log/routes.ts';

/** `POST /v1/feedback` and `GET /v1/models/{name}/drift` over the app's prediction log and served model. */
export function predictionLogApi({ predictionLog, models, logger }: AppDeps): Hono<AppEnv> {
  return predictionLogRoutes({
    log: predictionLog,
    manifest: (name) => {
      const { manifest } = models.current();
      return manifest.name === name ? manifest : undefined;
    },
    logger,
  });
}
