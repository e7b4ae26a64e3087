import type { ModelManifest } from '@glyco/contract';
import { DEFAULT_DRIFT_ROWS } from '@glyco/prediction-log';
import { z } from 'zod';
import { feedbackSchema, MAX_DRIFT_ROWS } from '../routes/prediction-log.ts';
import { json, ok, pathParameter, problems, queryParameter, ref, secured } from './parts.ts';

const nullableNumber = z.number().nullable();

/** `POST /v1/feedback`'s answer: the prediction named, and the outcome as sent (with the class it names). */
const FeedbackResponseSchema = z.object({
  request_id: z.string(),
  index: z.int().min(0),
  outcome: z.union([z.string(), z.number()]).meta({ description: 'The outcome as sent.' }),
  label: z.string().optional().meta({ description: 'Classifiers: the class label the outcome was read as.' }),
});

const FeatureDriftSchema = z.object({
  feature: z.string(),
  kind: z.enum(['numeric', 'categorical']),
  status: z.enum(['ok', 'drift', 'insufficient-data', 'no-reference']),
  count: z.int().meta({ description: 'Logged values present (not missing) in the sample.' }),
  missing_rate: nullableNumber,
  reference_missing_rate: nullableNumber,
  psi: nullableNumber,
  ks: nullableNumber.meta({ description: 'Numeric features: the Kolmogorov–Smirnov statistic.' }),
  ks_p_value: nullableNumber,
  chi_square: nullableNumber.meta({ description: "Categorical features: Pearson's chi-square statistic." }),
  chi_square_p_value: nullableNumber,
  bins: z
    .object({ edges: z.array(z.number()), reference: z.array(z.number()), live: z.array(z.number()) })
    .nullable(),
  categories: z
    .object({ names: z.array(z.string()), reference: z.array(z.number()), live: z.array(z.number()) })
    .nullable(),
});

/** The drift report `GET /v1/models/{name}/drift` answers (and `glyco drift --json` prints). */
export const DriftReportSchema = z.object({
  model: z.object({ name: z.string(), version: z.string() }),
  window: z.object({ since: z.string().nullable(), until: z.string().nullable() }),
  rows: z.object({ analysed: z.int(), total: z.int() }),
  psi_threshold: z.number(),
  min_sample: z.int(),
  features: z.array(FeatureDriftSchema),
  drifted: z.array(z.string()).meta({ description: 'The features whose PSI is above the threshold.' }),
  performance: z
    .looseObject({ task: z.enum(['binary', 'multiclass', 'regression']), outcomes: z.int() })
    .nullable()
    .meta({
      description:
        "The task's live metrics on the outcomes reported in the window (binary: ROC AUC, accuracy, Brier; multiclass: accuracy and per-class F1; regression: RMSE, MAE), null when none was reported.",
    }),
});

/** One line of the outcomes export: a logged row with its reported outcome. */
export const ExportedRowSchema = z.object({
  id: z.string(),
  predicted_at: z.string().meta({ description: 'ISO 8601.' }),
  model_version: z.string(),
  inputs: z.record(z.string(), z.unknown()).meta({ description: 'The features as logged.' }),
  outcome: z.union([z.object({ value: z.number() }), z.object({ class_index: z.int(), label: z.string() })]),
});

/** The export's last line: a reader that does not see it holds a cut export. */
export const ExportEndSchema = z.object({ complete: z.literal(true), rows: z.int() });

const timeBound = (name: 'since' | 'until', side: string) =>
  queryParameter(
    name,
    `Only predictions logged ${side}: an ISO 8601 time (2026-05-01, 2026-05-01T08:00:00Z) or a duration before now (30m, 24h, 7d, 2w).`,
    { type: 'string' },
  );

/** The routes over the prediction log: feedback, drift, and the export of the labelled rows. */
export function logPaths(manifest: ModelManifest) {
  const name = pathParameter('name', `The model name: "${manifest.name}".`);
  return {
    paths: {
      '/v1/feedback': {
        post: secured(['feedback'], {
          summary:
            'Report the observed outcome of a logged prediction (its request_id, and index within a batch), for live metrics and retraining',
          requestBody: {
            required: true,
            content: json(ref('FeedbackRequest'), {
              request_id: '0190d8e4-5c4e-7c2a-9b1e-3f6d2a7c8b90',
              outcome: manifest.task === 'regression' ? manifest.trainingData.targetSummary.max : 1,
            }),
          },
          responses: {
            '200': ok('The outcome recorded', ref('FeedbackResponse')),
            ...problems(400, 404, 413, 415, 422, 503),
          },
        }),
      },
      '/v1/models/{name}/drift': {
        get: secured(['read-metrics'], {
          summary:
            "Drift of the served version's logged inputs from its training data (PSI, KS or chi-square per feature) and its live metrics",
          parameters: [
            name,
            timeBound('since', 'at or after this'),
            timeBound('until', 'before this'),
            queryParameter('limit', `The most recent rows to analyse (default ${DEFAULT_DRIFT_ROWS}).`, {
              type: 'integer',
              minimum: 1,
              maximum: MAX_DRIFT_ROWS,
            }),
          ],
          responses: { '200': ok('The drift report', ref('DriftReport')), ...problems(404, 422, 503) },
        }),
      },
      '/v1/models/{name}/outcomes': {
        // Undeclared, so admin; and only to a client on this machine (loopback): a 403 through a load balancer or Lambda.
        get: secured(['admin'], {
          summary:
            'Export every logged row of the model with a reported outcome, oldest first, as NDJSON ending with {"complete": true, "rows": n}; to clients on this machine only',
          parameters: [name, timeBound('since', 'at or after this'), timeBound('until', 'before this')],
          responses: {
            '200': {
              description: 'One JSON object per line: the rows, then the end line',
              content: {
                'application/x-ndjson': { schema: { oneOf: [ref('ExportedRow'), ref('ExportEnd')] } },
              },
            },
            ...problems(404, 422, 503),
          },
        }),
      },
    },
    inputs: { FeedbackRequest: feedbackSchema(manifest) },
    outputs: {
      FeedbackResponse: FeedbackResponseSchema,
      DriftReport: DriftReportSchema,
      ExportedRow: ExportedRowSchema,
      ExportEnd: ExportEndSchema,
    },
  };
}
