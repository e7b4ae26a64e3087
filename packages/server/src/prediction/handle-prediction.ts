import type { ModelManifest } from '@glyco/contract';
import { PredictionNotLoggedError } from '@glyco/prediction-log';
import type { Context } from 'hono';
import type { AppDeps } from '../app-deps.ts';
import type { AppEnv } from '../http/context.ts';
import { Problem } from '../http/problem.ts';
import { readJsonBody } from '../http/read-json-body.ts';
import type { ModelOutputs } from '../model/inference-engine.ts';
import { type ModelSchemas, schemasFor } from '../validation/model-schemas.ts';
import type { ModelRows, ParsedRows } from '../validation/parsed-rows.ts';
import { recordPredictions } from './log-records.ts';
import { describeRows, type RowPrediction } from './row-prediction.ts';

/** Validates a parsed body against the served model's schemas into rows for it to run; throws a Problem. */
export type ParseRows<Rows extends ModelRows, Body = unknown> = (
  manifest: ModelManifest,
  schemas: ModelSchemas,
  body: Body,
) => Rows;

/** Reads a request's body within the size limit; JSON unless a route takes other media types. */
export type ReadBody<Body> = (c: Context<AppEnv>, maxBytes: number) => Promise<Body>;

/** What the model said about the rows a request asked about. */
export interface Prediction<Rows extends ModelRows> {
  requestId: string;
  manifest: ModelManifest;
  rows: Rows;
  outputs: ModelOutputs;
  /** Each row's answer, described once: for the response, and for the log. */
  answers: RowPrediction[];
}

/**
 * The steps of every request for predictions: read the body, validate it against the current model, run the
 * rows in the next batch and describe each row's answer. The endpoint answers from what it returns.
 */
export async function runPrediction<Rows extends ModelRows, Body = unknown>(
  c: Context<AppEnv>,
  { models, limits, clientLimits }: Pick<AppDeps, 'models' | 'limits' | 'clientLimits'>,
  parse: ParseRows<Rows, Body>,
  read: ReadBody<Body> = readJsonBody as ReadBody<Body>,
): Promise<Prediction<Rows>> {
  const body = await read(c, limits.maxBodyBytes);
  // The model is held until its outputs are read: a model swapped out meanwhile finishes this request first.
  const model = models.acquire();
  try {
    const { manifest } = model;
    const rows = parse(manifest, schemasFor(manifest, limits.maxInstances), body);
    clientLimits.rows(c, rows.count);
    const outputs = await model.predict(rows.input, rows.count);
    const answers = describeRows(manifest, outputs, rows.count);
    return { requestId: c.get('requestId'), manifest, rows, outputs, answers };
  } finally {
    model.release();
  }
}

/**
 * A request for predictions someone will act on (`/predict`, `/v2/.../infer`, `/invocations`): run as `runPrediction` runs it,
 * then its rows are counted and handed to the prediction log.
 */
export async function handlePrediction<Rows extends ParsedRows, Body = unknown>(
  c: Context<AppEnv>,
  deps: AppDeps,
  parse: ParseRows<Rows, Body>,
  read?: ReadBody<Body>,
): Promise<Prediction<Rows>> {
  const started = performance.now();
  const prediction = await runPrediction(c, deps, parse, read);
  deps.metrics.predictions(prediction.manifest, prediction.answers);
  const logged = recordPredictions(deps.predictionLog, {
    ...prediction,
    latencyMs: performance.now() - started,
    client: c.get('client'),
  });
  if (logged) await logged.catch(notLogged);
  return prediction;
}

/** With strict durability a prediction the log could not keep is not answered: 503, to be asked again. */
function notLogged(error: unknown): never {
  if (!(error instanceof PredictionNotLoggedError)) throw error;
  throw new Problem(
    'not-logged',
    `the prediction could not be logged (${error.message}), and PREDICTION_LOG_DURABILITY=strict answers only logged predictions; retry later`,
    undefined,
    { 'retry-after': '5' },
  );
}
