import type { BinaryNumericManifest as ModelManifest } from '@glyco/contract';
import { Problem } from '../http/problem.ts';
import { fieldsFromIssues, type InvalidField, invalidInput } from './issues.ts';
import type { ModelSchemas } from './model-schemas.ts';
import { inputsOfValues, type ParsedRows } from './parsed-rows.ts';

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
