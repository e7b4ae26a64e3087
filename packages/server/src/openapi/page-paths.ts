import {
  CARD_FILE,
  CONFUSION_MATRIX_FILE,
  type ModelManifest,
  PREDICTED_VS_ACTUAL_FILE,
  RESIDUALS_FILE,
  ROC_FILE,
} from '@glyco/contract';
import { z } from 'zod';
import { json, ok, pathParameter, problems, ref, secured } from './parts.ts';

const html = (description: string) => ({
  description,
  content: { 'text/html': { schema: { type: 'string' } } },
});

/** `POST /what-if`'s answer: the row's own answer, and how it moves as each feature sweeps its valid range. */
export const WhatIfResultSchema = z.object({
  model: z.object({ name: z.string(), version: z.string() }),
  task: z.enum(['binary', 'multiclass', 'regression']),
  answer: z
    .record(z.string(), z.unknown())
    .meta({ description: 'What POST /predict answers for the row, without model and request_id.' }),
  series: z.array(z.string()).meta({
    description:
      'The name of each number a point gives: binary, the positive class; multiclass, each class; regression, the target.',
  }),
  features: z
    .array(
      z.object({
        feature: z.string(),
        kind: z.enum(['numeric', 'categorical']),
        unit: z.string().nullable(),
        min: z.number().nullable(),
        max: z.number().nullable(),
        value: z.union([z.number(), z.string()]).nullable().meta({ description: "The row's own value." }),
        typical_range: z
          .tuple([z.number(), z.number()])
          .nullable()
          .meta({ description: 'The 5th to 95th percentile of the training values.' }),
        points: z.array(z.object({ value: z.union([z.number(), z.string()]), outputs: z.array(z.number()) })),
        effect: z.number().meta({ description: 'The largest change of any series across the sweep.' }),
      }),
    )
    .meta({ description: 'One sweep per feature, the largest effect first.' }),
  request_id: z.string(),
});

/** The web page for people: the risk form, the model card and its figures, and the what-if sweep they call. */
export function pagePaths(manifest: ModelManifest, example: Record<string, unknown>) {
  const name = pathParameter('name', `The model name: "${manifest.name}".`);
  return {
    paths: {
      '/': {
        get: secured('public', {
          summary: 'The web page: a form that asks the model',
          responses: { '200': html('HTML') },
        }),
      },
      '/models/{name}': {
        get: secured('public', {
          summary:
            'The model card: metrics, figures, features, provenance (drift only when authentication is off)',
          parameters: [name],
          responses: { '200': html('HTML'), '404': html('No such model here (HTML)') },
        }),
      },
      '/models/{name}/files/{file}': {
        get: secured('public', {
          summary: "One of the model's figures, shown by its card, or its card as Markdown",
          parameters: [
            name,
            pathParameter(
              'file',
              `${[ROC_FILE, CONFUSION_MATRIX_FILE, PREDICTED_VS_ACTUAL_FILE, RESIDUALS_FILE].join(', ')} (the figures its task has) or ${CARD_FILE}.`,
            ),
          ],
          responses: {
            '200': {
              description: 'The figure, or the card',
              content: {
                'image/svg+xml': { schema: { type: 'string' } },
                'text/markdown': { schema: { type: 'string' } },
              },
            },
            ...problems(404),
          },
        }),
      },
      '/what-if': {
        post: secured(['predict'], {
          summary:
            "How the answer for one row moves as each feature sweeps its valid range, every other value as sent (the page's chart); not logged",
          requestBody: { required: true, content: json(ref('FeatureRow'), example) },
          responses: { '200': ok('The sweeps', ref('WhatIfResult')), ...problems(400, 413, 415, 422) },
        }),
      },
    },
    outputs: { WhatIfResult: WhatIfResultSchema },
  };
}
