import type { ModelManifest } from '@glyco/contract';
import type { Logger } from '@glyco/logger';
import {
  DEFAULT_DRIFT_ROWS,
  isRejectedData,
  loggedDrift,
  type ObservedOutcome,
  type PredictionLogReader,
  parseTimeBound,
  TimeBoundError,
} from '@glyco/prediction-log';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps } from '../app-deps.ts';
import { access } from '../auth/access.ts';
import type { AppEnv } from '../http/context.ts';
import { VALID_REQUEST_ID } from '../http/observe.ts';
import { fieldError, Problem } from '../http/problem.ts';
import { readJsonBody } from '../http/read-json-body.ts';
import { respondJson } from '../http/respond.ts';
import { fieldsFromIssues, invalidInput } from '../validation/issues.ts';

/** What the routes need of the app: the log, the served model's manifest, the logger. */
export interface LogRoutesDeps {
  /** The log's reader (undefined when the log is off) and its flush, so feedback finds a just-made prediction. */
  log: { reader: PredictionLogReader | undefined; flush(): Promise<void> };
  /** The manifest of the model served now: feedback is about its predictions, drift about its version. */
  served(): ModelManifest;
  logger: Logger;
}

/** The feedback body for a model: the prediction (request id, row index) and what really happened. */
export function feedbackSchema(manifest: ModelManifest) {
  return z.strictObject({
    request_id: z
      .string({ error: 'must be the request_id of a prediction (a string)' })
      .min(1, 'must not be empty')
      .max(128, 'must be at most 128 characters')
      // Only such ids are ever logged (see observe.ts): a NUL or a space cannot name a prediction.
      .regex(VALID_REQUEST_ID, 'must be a request id as predictions carry: letters, digits, _ . : = -'),
    outcome: outcomeSchema(manifest),
    index: z
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(0, 'must be 0 or more')
      .max(MAX_ROW_INDEX, `must be at most ${MAX_ROW_INDEX}`)
      .optional(),
  });
}
const FEEDBACK_FIELDS = ['request_id', 'outcome', 'index'];
/** The log's row index column is a 4-byte integer. */
const MAX_ROW_INDEX = 2_147_483_647;
const feedbackSchemas = new WeakMap<ModelManifest, ReturnType<typeof feedbackSchema>>();

const quoted = (labels: readonly string[]) => labels.map((label) => JSON.stringify(label)).join(', ');

/**
 * The outcome a model's predictions are compared with: a number for a regression model; for a classifier the
 * observed class's label (a number is read as the label it spells, e.g. 2 for "2"), or, binary only, its index
 * 0 or 1, as the first release took it.
 */
function outcomeSchema(manifest: ModelManifest): z.ZodType<ObservedOutcome> {
  if (manifest.task === 'regression') {
    const { name, unit } = manifest.target;
    const [low, high] = plausibleOutcomes(manifest.trainingData.targetSummary);
    const outside = `must be from ${low} to ${high}${unit ? ` ${unit}` : ''}: ten times the training range beyond its ends; a value further out is more likely a unit or typing error, and one such value would swamp the live RMSE`;
    return z
      .number({ error: `must be a number: the observed ${name}${unit ? ` in ${unit}` : ''}` })
      .min(low, outside)
      .max(high, outside)
      .meta({ description: `The observed ${name}${unit ? `, in ${unit}` : ''}.` })
      .transform((value) => ({ value }));
  }
  const labels = manifest.target.classLabels;
  const binary = manifest.task === 'binary';
  const expected = binary
    ? `must be 0 or 1 (the observed class's index) or its label, ${quoted(labels)}`
    : `must be one of the class labels ${quoted(labels)}`;
  const described = binary
    ? `The observed class: its label, ${quoted(labels)}, or its index 0 or 1.`
    : `The observed class: one of the labels ${quoted(labels)}.`;
  const sent = z.union([z.string(), z.number()], { error: expected }).meta({ description: described });
  return sent.transform((sent, context) => {
    const index =
      binary && typeof sent === 'number' && (sent === 0 || sent === 1) ? sent : labelIndex(labels, sent);
    if (index >= 0) return { classIndex: index, label: labels[index]! };
    const folded = String(sent).trim().toLowerCase();
    const intended = labels.find((label) => label.toLowerCase() === folded);
    context.issues.push({
      code: 'custom',
      input: sent,
      message: `${expected}${intended ? `; did you mean ${JSON.stringify(intended)}?` : ''}`,
    });
    return z.NEVER;
  });
}

/** The observed values a regression model's feedback takes: its training range, widened tenfold each way. */
function plausibleOutcomes({ min, max }: { min: number; max: number }): [number, number] {
  const span = max - min || Math.abs(max) || 1;
  const round = (value: number) => Number(value.toPrecision(6));
  return [round(min - 10 * span), round(max + 10 * span)];
}

/**
 * The class a sent outcome names: the label it spells, or, for a number, the label of that value; a CSV often
 * spells whole-number classes as 0.0, 1.0 and 2.0, and a client sends 2.
 */
function labelIndex(labels: readonly string[], sent: string | number): number {
  const exact = labels.indexOf(String(sent));
  if (exact >= 0 || typeof sent !== 'number') return exact;
  return labels.findIndex((label) => label.trim() !== '' && Number(label) === sent);
}

/** A feedback body is a few fields. */
const MAX_FEEDBACK_BYTES = 4096;
const DRIFT_PARAMETERS = ['since', 'until', 'limit'];
export const MAX_DRIFT_ROWS = 1_000_000;

/** `POST /v1/feedback` and `GET /v1/models/{name}/drift` over the app's prediction log and served model. */
export function predictionLogRoutes({ predictionLog, models, logger }: AppDeps): Hono<AppEnv> {
  return logRoutes({
    log: predictionLog,
    served: () => models.current().manifest,
    logger,
  });
}

/**
 * `POST /v1/feedback` (the observed outcome of a logged prediction) and `GET /v1/models/{name}/drift`. Errors
 * are thrown as Problems for the app's error handler to render as problem+json. Feedback names a prediction by
 * request id and row index: when a client reused a request id, the outcome applies to every row logged with
 * that request id and index.
 */
export function logRoutes(deps: LogRoutesDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { logger } = deps;

  app.post('/v1/feedback', access(['feedback']), async (c) => {
    const manifest = deps.served();
    const schema = feedbackSchemas.get(manifest) ?? feedbackSchema(manifest);
    feedbackSchemas.set(manifest, schema);
    const body = await readJsonBody(c, MAX_FEEDBACK_BYTES);
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw invalidInput(fieldsFromIssues(parsed.error.issues, () => FEEDBACK_FIELDS));
    const { request_id: requestId, outcome, index = 0 } = parsed.data;
    const reader = readerOf(deps);
    const found = await databaseCall(logger, async () => {
      await deps.log.flush();
      return reader.recordOutcome(manifest.name, requestId, index, outcome);
    });
    if (!found) {
      throw new Problem(
        'not-found',
        `no logged prediction of ${manifest.name} has request_id "${requestId}" and index ${index}`,
        [fieldError(['request_id'], 'is not the request id of a logged prediction (with this index)')],
      );
    }
    // The outcome as sent, and for a classifier the class it names, so the client sees how it was read.
    const sent = (body as { outcome: unknown }).outcome;
    const label = 'label' in outcome ? { label: outcome.label } : {};
    return respondJson(c, { request_id: requestId, index, outcome: sent, ...label });
  });

  app.get('/v1/models/:name/drift', access(['read-metrics']), async (c) => {
    const name = c.req.param('name');
    const manifest = deps.served();
    if (manifest.name !== name) throw new Problem('not-found', `no model named "${name}" is served here`);
    const query = c.req.query();
    const unknown = Object.keys(query).filter((key) => !DRIFT_PARAMETERS.includes(key));
    if (unknown.length > 0) {
      throw invalidQuery(unknown[0]!, `is not a known parameter; expected ${DRIFT_PARAMETERS.join(', ')}`);
    }
    const since = timeBound(query, 'since');
    const until = timeBound(query, 'until');
    if (since && until && since >= until) throw invalidQuery('until', 'must be later than since');
    const limit = query.limit === undefined ? DEFAULT_DRIFT_ROWS : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_DRIFT_ROWS) {
      throw invalidQuery('limit', `must be a whole number from 1 to ${MAX_DRIFT_ROWS}`);
    }
    const reader = readerOf(deps);
    const report = await databaseCall(logger, () => loggedDrift(reader, manifest, { since, until, limit }));
    return respondJson(c, report);
  });

  return app;
}

function readerOf(deps: LogRoutesDeps): PredictionLogReader {
  if (!deps.log.reader) throw new Problem('not-ready', 'the prediction log is off (DATABASE_URL=off)');
  return deps.log.reader;
}

/**
 * A database that cannot answer is a 503 to retry, not a 500; one that refuses a value of the request (SQLSTATE
 * class 22 or 23, which validation should have caught first) is the client's 422, not an outage.
 */
export async function databaseCall<T>(logger: Logger, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Problem) throw error;
    if (isRejectedData(error)) {
      const { code } = error as { code: string };
      logger.warn('prediction log refused a value of the request', { code, error: (error as Error).message });
      throw new Problem(
        'invalid-input',
        `the prediction log refused a value of this request (SQLSTATE ${code})`,
      );
    }
    // The driver's message may name hosts and users: it stays in the server's logs, not in the answer.
    logger.warn('prediction log query failed', { error: (error as Error).message });
    throw new Problem('not-ready', 'the prediction log database is unavailable; retry later');
  }
}

export function timeBound(query: Record<string, string>, name: 'since' | 'until'): Date | undefined {
  const text = query[name];
  if (text === undefined) return undefined;
  try {
    return parseTimeBound(text);
  } catch (error) {
    if (error instanceof TimeBoundError) throw invalidQuery(name, error.message);
    throw error;
  }
}

export function invalidQuery(parameter: string, detail: string): Problem {
  return new Problem('invalid-input', `query parameter ${parameter} ${detail}`, [
    fieldError([parameter], detail),
  ]);
}
