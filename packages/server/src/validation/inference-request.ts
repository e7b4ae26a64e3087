import type { ModelManifest } from '@glyco/contract';
import { Problem } from '../http/problem.ts';
import { inputTensors } from './inference-request-schema.ts';
import { fieldsFromIssues, type InvalidField, invalidInput } from './issues.ts';
import type { ModelSchemas } from './model-schemas.ts';
import { inputsOfTensors, type ParsedRows } from './parsed-rows.ts';

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

/** One input tensor as sent: where it is in `inputs`, its values row-major, whether they came nested by row. */
interface SentTensor {
  position: number;
  values: readonly unknown[];
  width: number;
  nested: boolean;
}

/** Field errors for the rows the compiled checks rejected: zod's row schema says what is wrong, per value. */
function invalidValues(
  schemas: ModelSchemas,
  tensors: { numeric: SentTensor; categorical: SentTensor },
  rows: number,
): InvalidField[] {
  const { numericFeatures, categoricalFeatures } = schemas.encoder;
  const columns = [
    ...numericFeatures.map((feature, column) => ({ name: feature.name, tensor: tensors.numeric, column })),
    ...categoricalFeatures.map((feature, column) => ({
      name: feature.name,
      tensor: tensors.categorical,
      column,
    })),
  ];
  const invalid: InvalidField[] = [];
  for (let r = 0; r < rows; r++) {
    const row = Object.fromEntries(
      columns.map(({ name, tensor, column }) => [name, tensor.values[r * tensor.width + column]]),
    );
    const result = schemas.request.row.safeParse(row);
    if (result.success) continue;
    for (const issue of result.error.issues) {
      const { name, tensor, column } = columns.find((entry) => entry.name === issue.path[0])!;
      const where = tensor.nested ? [r, column] : [r * tensor.width + column];
      invalid.push({
        path: ['inputs', tensor.position, 'data', ...where],
        detail: `(row ${r}, ${name}) ${issue.message}`,
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
  const sentInputs = (body as { inputs?: { shape?: unknown[] }[] } | null)?.inputs;
  const requestedRows = Array.isArray(sentInputs) ? sentInputs[0]?.shape?.[0] : undefined;
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
  const { required, numericWidth, categoricalWidth } = inputTensors(manifest);
  const missing = required.find((name) => !inputs.some((tensor) => tensor.name === name));
  if (missing) {
    throw invalidInput([{ path: ['inputs'], detail: `must hold the tensor "${missing}", once` }]);
  }
  const count = inputs[0]!.shape[0];
  const other = inputs.findIndex((tensor) => tensor.shape[0] !== count);
  if (other >= 0) {
    throw invalidInput([
      { path: ['inputs', other, 'shape', 0], detail: `must be ${count}, the rows of "${inputs[0]!.name}"` },
    ]);
  }
  const tensorNamed = (name: string | undefined, width: number): SentTensor => {
    const position = inputs.findIndex((tensor) => tensor.name === name);
    if (position < 0) return { position, values: [], width, nested: false };
    const tensor = inputs[position]!;
    const nested = tensor.data.some(Array.isArray);
    const values: readonly unknown[] = nested ? tensor.data.flat() : tensor.data;
    if (
      values.length !== count * width ||
      (nested && tensor.data.some((row) => !Array.isArray(row) || row.length !== width))
    ) {
      throw invalidInput([
        {
          path: ['inputs', position, 'data'],
          detail: `must hold ${count * width} values for shape [${count}, ${width}], flat or as ${count} rows of ${width}`,
        },
      ]);
    }
    return { position, values, width, nested };
  };
  const { input: numericInput, categoricalInput } = manifest.onnx;
  const tensors = {
    numeric: tensorNamed(numericInput.name, numericWidth),
    categorical: tensorNamed(categoricalInput?.name, categoricalWidth),
  };
  const { encoder } = schemas;
  const input = encoder.allocate(count);
  for (let r = 0; r < count; r++) {
    if (!encoder.encodeTensorRow(tensors.numeric.values, tensors.categorical.values, input, r))
      throw invalidInput(invalidValues(schemas, tensors, count));
  }
  return {
    id,
    count,
    input,
    inputsOf: (row) =>
      inputsOfTensors(manifest.features, tensors.numeric.values, tensors.categorical.values, row),
    outputs: outputs?.map((output) => output.name) ?? Object.values(manifest.onnx.outputs),
  };
}
