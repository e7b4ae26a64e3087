import type { ModelManifest } from '@glyco/contract';
import { z } from 'zod';

/** The response bodies, as zod schemas: the OpenAPI document is generated from them and the tests check them. */
export const ModelRefSchema = z.object({ name: z.string(), version: z.string() });

/** A binary classifier's answer for one row. */
export const RowPredictionSchema = z.object({
  prediction: z
    .int()
    .min(0)
    .meta({ description: "Index of the predicted class in the model's class labels." }),
  label: z.string().meta({ description: 'The predicted class label.' }),
  probability: z.number().min(0).max(1).meta({ description: 'Probability of the positive class.' }),
  risk_level: z.enum(['low', 'medium', 'high']).meta({ description: "From the manifest's risk thresholds." }),
});

/** A multiclass classifier's answer for one row: the predicted class and every class's probability. */
export function multiclassRowPredictionSchema(classLabels: readonly string[]) {
  const share = z.number().min(0).max(1);
  return z.object({
    prediction: z
      .int()
      .min(0)
      .meta({
        description: `Index of the predicted (most probable) class in the class labels: ${classLabels.join(', ')}.`,
      }),
    label: z.enum(classLabels as [string, ...string[]]).meta({ description: 'The predicted class label.' }),
    probabilities: z
      .strictObject(Object.fromEntries(classLabels.map((label) => [label, share])))
      .meta({ description: "Every class's probability, by class label; they sum to 1." }),
  });
}

/** A regression model's answer for one row: the value, its unit and its interval. */
export const RegressionRowPredictionSchema = z.object({
  value: z.number().meta({ description: 'The predicted value, in `unit`.' }),
  unit: z.string().nullable().meta({ description: "The target's unit (null: none)." }),
  interval: z
    .object({
      low: z.number(),
      high: z.number(),
      coverage: z.number().gt(0).lt(1).meta({ description: 'e.g. 0.9 for a 90% interval.' }),
    })
    .meta({
      description:
        "The range that held the true value for `coverage` of the model's out-of-fold predictions (from their residuals).",
    }),
});

/** The `/predict` answers of a row schema: one row, or `predictions` for instances. */
function predictResponseSchemas(row: z.ZodObject) {
  return {
    single: row.extend({ model: ModelRefSchema, request_id: z.string() }),
    batch: z.object({ predictions: z.array(row), model: ModelRefSchema, request_id: z.string() }),
  };
}

/** The `/predict` answers of the served model's task. */
export function predictResponsesFor(manifest: ModelManifest): { single: z.ZodType; batch: z.ZodType } {
  if (manifest.task === 'regression') return predictResponseSchemas(RegressionRowPredictionSchema);
  if (manifest.task === 'multiclass') {
    return predictResponseSchemas(multiclassRowPredictionSchema(manifest.target.classLabels));
  }
  return { single: PredictResponseSchema, batch: BatchPredictResponseSchema };
}

/** A binary classifier's answers (the bundled default model's). */
export const PredictResponseSchema = RowPredictionSchema.extend({
  model: ModelRefSchema,
  request_id: z.string(),
});

export const BatchPredictResponseSchema = z.object({
  predictions: z.array(RowPredictionSchema),
  model: ModelRefSchema,
  request_id: z.string(),
});

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string().meta({ description: 'What is wrong, naming the first offending field.' }),
    errors: z
      .array(
        z.object({
          pointer: z.string().meta({ description: 'RFC 6901 JSON pointer into the body.' }),
          detail: z.string(),
        }),
      )
      .optional(),
    request_id: z.string(),
    error: z
      .string()
      .optional()
      .meta({ description: 'Open Inference Protocol routes only: the detail again.' }),
  })
  .meta({ description: 'RFC 9457 problem details (application/problem+json).' });

const TensorSchema = z.object({
  name: z.string(),
  datatype: z.string(),
  shape: z.array(z.int()),
  data: z.array(z.number()),
});

export const InferenceResponseSchema = z.object({
  model_name: z.string(),
  model_version: z.string(),
  id: z.string(),
  outputs: z.array(TensorSchema),
});

const TensorMetadataSchema = z.object({ name: z.string(), datatype: z.string(), shape: z.array(z.int()) });

export const ModelMetadataSchema = z.object({
  name: z.string(),
  versions: z.array(z.string()),
  platform: z.string(),
  inputs: z.array(TensorMetadataSchema),
  outputs: z.array(TensorMetadataSchema),
});

export const ReadySchema = z.object({
  status: z.enum(['ready', 'draining']),
  model: ModelRefSchema,
  prediction_log: z.object({ state: z.enum(['ok', 'degraded', 'off']), detail: z.string().optional() }),
});
