import type { Context } from 'hono';
import type { AppDeps, AppEnv } from '../app-deps.ts';
import { readJsonBody } from '../http/read-json-body.ts';
import { respondJson } from '../http/respond.ts';
import type { ModelOutputs } from '../model/inference-engine.ts';
import type { ModelManifest } from '../model/served-manifest.ts';
import { recordPredictions } from '../prediction.ts';
import { type ModelSchemas, schemasFor } from '../validation/model-schemas.ts';
import type { ParsedRows } from '../validation/parsed-rows.ts';

export interface PredictionProtocol<Request extends ParsedRows> {
  /** Validates the parsed body against the model's schemas; throws a Problem. */
  parse(body: unknown, manifest: ModelManifest, schemas: ModelSchemas): Request;
  /** The response body for the model's outputs. */
  respond(request: Request, outputs: ModelOutputs, manifest: ModelManifest, requestId: string): unknown;
}

/**
 * The steps every prediction endpoint shares: read the body, validate it against the current model, run the
 * rows in the next batch, answer, then count the rows and hand them to the prediction log.
 */
export async function handlePrediction<Request extends ParsedRows>(
  c: Context<AppEnv>,
  { models, predictionLog, limits, metrics }: AppDeps,
  protocol: PredictionProtocol<Request>,
): Promise<Response> {
  const started = performance.now();
  const body = await readJsonBody(c, limits.maxBodyBytes);
  // The model is held until the answer is built: a model swapped out meanwhile finishes this request first.
  const model = models.acquire();
  try {
    const { manifest } = model;
    const request = protocol.parse(body, manifest, schemasFor(manifest, limits.maxInstances));
    const outputs = await model.predict(request.values, request.count);
    const requestId = c.get('requestId');
    const res = respondJson(c, protocol.respond(request, outputs, manifest, requestId));
    metrics.predictions(manifest, request.count);
    const latencyMs = performance.now() - started;
    recordPredictions(predictionLog, { requestId, manifest, rows: request, outputs, latencyMs });
    return res;
  } finally {
    model.release();
  }
}
