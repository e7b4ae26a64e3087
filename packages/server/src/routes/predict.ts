import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-deps.ts';
import { handlePrediction, type PredictionProtocol } from '../prediction/handle-prediction.ts';
import { describeRow } from '../prediction/row-prediction.ts';
import { type PredictRows, parsePredictBody } from '../validation/predict-body.ts';

const predictProtocol: PredictionProtocol<PredictRows> = {
  parse: (body, manifest, schemas) => parsePredictBody(manifest, schemas, body),
  respond({ count, batch }, outputs, manifest, requestId) {
    const model = { name: manifest.name, version: manifest.version };
    const predictions = [];
    if (batch) for (let i = 0; i < count; i++) predictions.push(describeRow(manifest, outputs, i));
    return batch
      ? { predictions, model, request_id: requestId }
      : { ...describeRow(manifest, outputs, 0), model, request_id: requestId };
  },
};

/** `POST /predict`: one flat object of features, or `{"instances": [...]}`, for the default model. */
export function predictRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/predict', (c) => handlePrediction(c, deps, predictProtocol));
  return app;
}
