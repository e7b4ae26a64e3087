import type { BinaryNumericManifest as ModelManifest } from '@glyco/contract';
import { z } from 'zod';

/** Open Inference Protocol v2 tensor datatypes for the model's input and outputs. */
export function tensorDatatype(dtype: 'float32' | 'float64'): 'FP32' | 'FP64' {
  return dtype === 'float64' ? 'FP64' : 'FP32';
}

/** A request may ask for the label, the probabilities, or both. */
export const MAX_OUTPUTS = 2;
export const TOO_MANY_OUTPUTS = `must name at most ${MAX_OUTPUTS} outputs`;
export const oneTensorMessage = (inputName: string) => `must hold exactly one tensor, "${inputName}"`;

const parameters = z.record(z.string(), z.unknown());
const cell = z.number().nullable();

/**
 * The v2 inference request for one model: a single input tensor named like the ONNX input, shape `[N, F]`,
 * data row-major (flat, or nested by row), null for a missing value. Feature values are then checked one by
 * one with the same row schema as `/predict`.
 */
export function buildInferenceRequestSchema(manifest: ModelManifest, maxInstances: number) {
  const { input, outputs } = manifest.onnx;
  const width = manifest.features.length;
  return z
    .strictObject({
      id: z.string().max(256).optional(),
      parameters: parameters.optional(),
      inputs: z
        .array(
          z.strictObject({
            name: z.literal(input.name, `must be "${input.name}"`),
            shape: z.tuple(
              [z.int().min(1).max(maxInstances), z.literal(width, `must be ${width}, the feature count`)],
              {
                error: `must be [rows, ${width}]`,
              },
            ),
            datatype: z.enum(['FP32', 'FP64'], 'must be "FP32" or "FP64"'),
            parameters: parameters.optional(),
            data: z.array(z.union([cell, z.array(cell)]), 'must be an array of numbers (null for missing)'),
          }),
        )
        .length(1, oneTensorMessage(input.name)),
      outputs: z
        .array(
          z.strictObject({
            name: z.enum(
              [outputs.label, outputs.probabilities],
              `must be "${outputs.label}" or "${outputs.probabilities}"`,
            ),
            parameters: parameters.optional(),
          }),
        )
        .max(MAX_OUTPUTS, TOO_MANY_OUTPUTS)
        .optional(),
    })
    .meta({
      description: `Open Inference Protocol v2 inference request: one tensor "${input.name}" [rows, ${width}].`,
    });
}

export type InferenceRequestSchema = ReturnType<typeof buildInferenceRequestSchema>;
