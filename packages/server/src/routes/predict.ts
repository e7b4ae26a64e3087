import { Hono } from 'hono';
import type { AppDeps } from '../app-deps.ts';
import { access } from '../auth/access.ts';
import type { AppEnv } from '../http/context.ts';
import { respondJson } from '../http/respond.ts';
import { handlePrediction } from '../prediction/handle-prediction.ts';
import { parsePredictRequest } from '../validation/row-layouts.ts';

/** `POST /predict`: one flat object of features, `{"features": [...]}` in the model's order, or `{"instances": [...]}`. */
export function predictRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/predict', access(['predict']), async (c) => {
    const { manifest, rows, answers, requestId } = await handlePrediction(c, deps, parsePredictRequest);
    const model = { name: manifest.name, version: manifest.version };
    return respondJson(
      c,
      rows.batch
        ? { predictions: answers, model, request_id: requestId }
        : { ...answers[0], model, request_id: requestId },
    );
  });
  return app;
}
