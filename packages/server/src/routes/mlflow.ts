import { Hono } from 'hono';
import packageJson from '../../package.json' with { type: 'json' };
import type { AppDeps } from '../app-deps.ts';
import { access, PUBLIC } from '../auth/access.ts';
import type { AppEnv } from '../http/context.ts';
import { MLFLOW_INVOCATIONS_PATH } from '../http/problem-response.ts';
import { respond, respondJson } from '../http/respond.ts';
import { handlePrediction, type Prediction } from '../prediction/handle-prediction.ts';
import { type MlflowRows, parseMlflowRequest, readMlflowBody } from '../validation/mlflow-request.ts';

/**
 * MLflow's `{"predictions": [...]}`: what `pyfunc.predict` returns for the rows, one entry per row. A regression
 * model gives its predicted values; a classifier its class labels, or with `params.predict_fn = "predict_proba"` each row's probabilities in the order of
 * the model's class labels (`GET /v2/models/<name>` and the model card list them).
 */
function mlflowPredictions({ manifest, outputs, rows }: Prediction<MlflowRows>): unknown[] {
  if (outputs.kind === 'values') return Array.from(outputs.values.subarray(0, rows.count));
  if (manifest.task === 'regression') throw new Error('a regression model gave classes');
  const { classLabels } = manifest.target;
  const classes = classLabels.length;
  const predictions: unknown[] = [];
  for (let row = 0; row < rows.count; row++) {
    predictions.push(
      rows.predictFn === 'predict_proba'
        ? Array.from(outputs.probabilities.subarray(row * classes, (row + 1) * classes))
        : classLabels[outputs.labels[row]!],
    );
  }
  return predictions;
}

/**
 * MLflow's scoring protocol, as its clients (and SageMaker's, which speak it) call it: `POST /invocations`,
 * `GET /ping` (200 while the server takes requests) and `GET /version`. The rows are validated, batched, logged
 * and counted exactly as `/predict`'s.
 */
export function mlflowRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post(MLFLOW_INVOCATIONS_PATH, access(['predict']), async (c) => {
    const prediction = await handlePrediction(c, deps, parseMlflowRequest, readMlflowBody);
    return respondJson(c, { predictions: mlflowPredictions(prediction) });
  });
  // MLflow answers a newline with 200 once its model is loaded; a server shutting down says so with 503.
  app.get('/ping', PUBLIC, (c) => respond(c, '\n', 'application/json', deps.isDraining() ? 503 : 200));
  app.get('/version', PUBLIC, (c) => respond(c, packageJson.version, 'text/plain; charset=utf-8'));
  return app;
}
