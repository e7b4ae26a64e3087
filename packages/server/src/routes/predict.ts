import { Hono } from 'hono';
import type { AppDeps } from '../app-deps.ts';
import { access } from '../auth/access.ts';
import type { AppEnv } from '../http/context.ts';
import { respondJson } from '../http/respond.ts';
import { handlePrediction } from '../prediction/handle-prediction.ts';
import { parsePredictBody } from '../validation/predict-body.ts';

/** `POST /predict`: one flat object of features, or `{"instances": [...]}`, for the default model. */
export function predictRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/predict', access(['predict']), async (c) => {
    const { manifest, rows, answers, requestId } = await handlePrediction(c, deps, parsePredictBody);
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
