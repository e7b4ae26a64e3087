import type { BinaryNumericManifest as ModelManifest } from '@glyco/contract';
import { Problem } from '../http/problem.ts';
import { MAX_OUTPUTS, oneTensorMessage, TOO_MANY_OUTPUTS } from './inference-request-schema.ts';
import { FieldErrors, invalidField } from './issues.ts';
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

/**
 * The offending values of the rows the compiled checks rejected: zod's row schema says what is wrong with each,
 * until the response holds all it will report; the values after that are only counted.
 */
function invalidValues(schemas: ModelSchemas, values: readonly unknown[], rows: number, nested: boolean) {
  const { encoder, featureNames: names, request } = schemas;
  const width = names.length;
  const fields = new FieldErrors();
  for (let r = 0; r < rows; r++) {
    const invalid = encoder.countInvalidValues(values, r * width);
    if (invalid === 0) continue;
    if (fields.full) {
      fields.countMore(invalid);
      continue;
    }
    const row = Object.fromEntries(names.map((name, f) => [name, values[r * width + f]]));
    let previous: PropertyKey | undefined;
    for (const issue of request.row.safeParse(row).error?.issues ?? []) {
      // zod may say two things of one value (not whole, and too large): one error per value.
      if (issue.path[0] === previous) continue;
      previous = issue.path[0];
      const f = names.indexOf(String(issue.path[0]));
      fields.add(
        nested ? ['inputs', 0, 'data', r, f] : ['inputs', 0, 'data', r * width + f],
        `(row ${r}, ${names[f]}) ${issue.message}`,
      );
    }
  }
  return fields.problem();
}

/**
 * Arrays the request schema would parse element by element, bounded before it does: past these sizes a body is
 * refused whatever its elements hold, and zod's work (and its issue list) stays proportionate to a valid request.
 */
function checkSizes(body: unknown, manifest: ModelManifest, maxInstances: number): void {
  const width = manifest.features.length;
  const { inputs, outputs } = (body ?? {}) as { inputs?: unknown; outputs?: unknown };
  if (Array.isArray(inputs) && inputs.length > 1) {
    throw invalidField(['inputs'], oneTensorMessage(manifest.onnx.input.name));
  }
  if (Array.isArray(outputs) && outputs.length > MAX_OUTPUTS) {
    throw invalidField(['outputs'], TOO_MANY_OUTPUTS);
  }
  const tensor = (Array.isArray(inputs) ? inputs[0] : undefined) as
    | { shape?: unknown; data?: unknown }
    | undefined;
  const requestedRows = Array.isArray(tensor?.shape) ? tensor.shape[0] : undefined;
  if (typeof requestedRows === 'number' && requestedRows > maxInstances) {
    throw new Problem(
      'content-too-large',
      `the input tensor holds ${requestedRows} rows; at most ${maxInstances} are allowed per request`,
    );
  }
  if (Array.isArray(tensor?.data)) {
    let cells = 0;
    for (const element of tensor.data) cells += Array.isArray(element) ? element.length : 1;
    if (cells > maxInstances * width) {
      throw new Problem(
        'content-too-large',
        `the input tensor holds ${cells} values; at most ${maxInstances * width} (${maxInstances} rows of ${width}) are allowed per request`,
      );
    }
  }
}

/** Validates a parsed v2 inference request; throws a Problem naming the offending value by JSON pointer. */
export function parseInferenceRequest(
  manifest: ModelManifest,
  schemas: ModelSchemas,
  body: unknown,
): InferenceRequest {
  checkSizes(body, manifest, schemas.request.maxInstances);
  const parsed = schemas.inference.safeParse(body);
  if (!parsed.success) {
    const fields = new FieldErrors();
    fields.addIssues(parsed.error.issues, (path) => KNOWN_FIELDS[String(path.at(-2) ?? 'root')] ?? []);
    throw fields.problem();
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
    throw invalidField(
      ['inputs', 0, 'data'],
      `must hold ${count * width} values for shape [${count}, ${width}], flat or as ${count} rows of ${width}`,
    );
  }
  const { encoder } = schemas;
  const values = encoder.allocate(count);
  for (let r = 0; r < count; r++) {
    if (!encoder.encodeValues(data, r * width, values, r)) throw invalidValues(schemas, data, count, nested);
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
