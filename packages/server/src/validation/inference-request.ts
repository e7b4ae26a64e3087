import { z } from 'zod';
import { Problem } from '../http/problem.ts';
import type { ModelManifest } from '../model/served-manifest.ts';
import { fieldsFromIssues, type InvalidField, invalidInput } from './issues.ts';
import type { ModelSchemas } from './model-schemas.ts';
import { inputsOfValues, type ParsedRows } from './parsed-rows.ts';

/** Open Inference Protocol v2 tensor datatypes for the model's input and outputs. */
export function tensorDatatype(dtype: 'float32' | 'float64'): 'FP32' | 'FP64' {
  return dtype === 'float64' ? 'FP64' : 'FP32';
}

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
        .length(1, `must hold exactly one tensor, "${input.name}"`),
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
        .optional(),
    })
    .meta({
      description: `Open Inference Protocol v2 inference request: one tensor "${input.name}" [rows, ${width}].`,
    });
}

export type InferenceRequestSchema = ReturnType<typeof buildInferenceRequestSchema>;

export interface InferenceRequest extends ParsedRows {
  id: string | undefined;
  /** The outputs asked for, in the order to return them. */
  outputs: string[];
}

const KNOWN_FIELDS: Record<string, readonly string[]> = {
  root: ['id', 'parameters', 'inputs', 'outputs'],
  inputs: ['name', 'shape', 'datatype', 'parameters', 'data'],
  outputs: ['name', 'parameters'],
};

/** Field errors for the rows the compiled checks rejected: zod's row schema says what is wrong, per value. */
function invalidValues(
  schemas: ModelSchemas,
  values: readonly unknown[],
  rows: number,
  nested: boolean,
): InvalidField[] {
  const names = schemas.featureNames;
  const width = names.length;
  const invalid: InvalidField[] = [];
  for (let r = 0; r < rows; r++) {
    const row = Object.fromEntries(names.map((name, f) => [name, values[r * width + f]]));
    const result = schemas.request.row.safeParse(row);
    if (result.success) continue;
    for (const issue of result.error.issues) {
      const f = names.indexOf(String(issue.path[0]));
      invalid.push({
        path: nested ? ['inputs', 0, 'data', r, f] : ['inputs', 0, 'data', r * width + f],
        detail: `(row ${r}, ${names[f]}) ${issue.message}`,
      });
    }
  }
  return invalid;
}

/** Validates a parsed v2 inference request; throws a Problem naming the offending value by JSON pointer. */
export function parseInferenceRequest(
  manifest: ModelManifest,
  schemas: ModelSchemas,
  body: unknown,
): InferenceRequest {
  const { maxInstances } = schemas.request;
  const requestedRows = (body as { inputs?: { shape?: unknown[] }[] } | null)?.inputs?.[0]?.shape?.[0];
  if (typeof requestedRows === 'number' && requestedRows > maxInstances) {
    throw new Problem(
      'content-too-large',
      `the input tensor holds ${requestedRows} rows; at most ${maxInstances} are allowed per request`,
    );
  }
  const parsed = schemas.inference.safeParse(body);
  if (!parsed.success) {
    throw invalidInput(
      fieldsFromIssues(parsed.error.issues, (path) => KNOWN_FIELDS[String(path.at(-2) ?? 'root')] ?? []),
    );
  }
  const { id, inputs, outputs } = parsed.data;
  const tensor = inputs[0]!;
  const [count, width] = tensor.shape;
  const nested = tensor.data.some(Array.isArray);
  const data = nested ? tensor.data.flat() : tensor.data;
  if (
    data.length !== count * width ||
    (nested && tensor.data.some((row) => !Array.isArray(row) || row.length !== width))
  ) {
    throw invalidInput([
      {
        path: ['inputs', 0, 'data'],
        detail: `must hold ${count * width} values for shape [${count}, ${width}], flat or as ${count} rows of ${width}`,
      },
    ]);
  }
  const { encoder } = schemas;
  const values = encoder.allocate(count);
  for (let r = 0; r < count; r++) {
    if (!encoder.encodeValues(data, r * width, values, r))
      throw invalidInput(invalidValues(schemas, data, count, nested));
  }
  const { label, probabilities } = manifest.onnx.outputs;
  return {
    id,
    count,
    values,
    inputsOf: (row) => inputsOfValues(manifest.features, data, row),
    outputs: outputs?.map((output) => output.name) ?? [label, probabilities],
  };
}
