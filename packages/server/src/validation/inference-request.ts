import type { ModelManifest } from '@glyco/contract';
import { Problem } from '../http/problem.ts';
import {
  INTEGER_RANGES,
  inputTensors,
  MAX_OUTPUTS,
  requiredTensorsMessage,
  TOO_MANY_OUTPUTS,
} from './inference-request-schema.ts';
import { FieldErrors, invalidField } from './issues.ts';
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

/**
 * The offending values of the rows the compiled checks rejected: zod's row schema says what is wrong with each,
 * until the response holds all it will report; the values after that are only counted.
 */
function invalidValues(
  schemas: ModelSchemas,
  tensors: { numeric: SentTensor; categorical: SentTensor },
  rows: number,
): Problem {
  const { encoder, request } = schemas;
  const columns = [
    ...encoder.numericFeatures.map((feature, column) => ({
      name: feature.name,
      tensor: tensors.numeric,
      column,
    })),
    ...encoder.categoricalFeatures.map((feature, column) => ({
      name: feature.name,
      tensor: tensors.categorical,
      column,
    })),
  ];
  const fields = new FieldErrors();
  for (let r = 0; r < rows; r++) {
    const invalid = encoder.countInvalidTensorRow(tensors.numeric.values, tensors.categorical.values, r);
    if (invalid === 0) continue;
    if (fields.full) {
      fields.countMore(invalid);
      continue;
    }
    const row = Object.fromEntries(
      columns.map(({ name, tensor, column }) => [name, tensor.values[r * tensor.width + column]]),
    );
    let previous: PropertyKey | undefined;
    for (const issue of request.row.safeParse(row).error?.issues ?? []) {
      // zod may say two things of one value (not whole, and too large): one error per value.
      if (issue.path[0] === previous) continue;
      previous = issue.path[0];
      const { name, tensor, column } = columns.find((entry) => entry.name === issue.path[0])!;
      const where = tensor.nested ? [r, column] : [r * tensor.width + column];
      fields.add(['inputs', tensor.position, 'data', ...where], `(row ${r}, ${name}) ${issue.message}`);
    }
  }
  return fields.problem();
}

/** A tensor sent as an integer datatype holds whole numbers within it (null, a missing value, aside). */
function checkIntegers(tensor: SentTensor, datatype: string, [min, max]: readonly [number, number]): void {
  const fields = new FieldErrors();
  tensor.values.forEach((value, i) => {
    if (typeof value !== 'number' || (Number.isInteger(value) && value >= min && value <= max)) return;
    const where = tensor.nested ? [Math.floor(i / tensor.width), i % tensor.width] : [i];
    fields.add(
      ['inputs', tensor.position, 'data', ...where],
      `must be a whole number from ${min} to ${max}, as ${datatype} holds`,
    );
  });
  if (fields.count > 0) throw fields.problem();
}

/**
 * Arrays the request schema would parse element by element, bounded before it does: past these sizes a body is
 * refused whatever its elements hold, and zod's work (and its issue list) stays proportionate to a valid request.
 */
function checkSizes(body: unknown, manifest: ModelManifest, maxInstances: number): void {
  const width = manifest.features.length;
  const { required } = inputTensors(manifest);
  const { inputs, outputs } = (body ?? {}) as { inputs?: unknown; outputs?: unknown };
  if (Array.isArray(inputs) && inputs.length > required.length) {
    throw invalidField(['inputs'], requiredTensorsMessage(required));
  }
  if (Array.isArray(outputs) && outputs.length > MAX_OUTPUTS) {
    throw invalidField(['outputs'], TOO_MANY_OUTPUTS);
  }
  let cells = 0;
  for (const tensor of (Array.isArray(inputs) ? inputs : []) as ({
    shape?: unknown;
    data?: unknown;
  } | null)[]) {
    const requestedRows = Array.isArray(tensor?.shape) ? tensor.shape[0] : undefined;
    if (typeof requestedRows === 'number' && requestedRows > maxInstances) {
      throw new Problem(
        'content-too-large',
        `the input tensor holds ${requestedRows} rows; at most ${maxInstances} are allowed per request`,
      );
    }
    if (Array.isArray(tensor?.data)) {
      for (const element of tensor.data) cells += Array.isArray(element) ? element.length : 1;
    }
  }
  // The tensors split the features between them: in all they hold at most a value per feature per row.
  if (cells > maxInstances * width) {
    throw new Problem(
      'content-too-large',
      `${required.length === 1 ? 'the input tensor holds' : 'the input tensors hold'} ${cells} values; at most ${maxInstances * width} (${maxInstances} rows of ${width}) are allowed per request`,
    );
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
  const { required, numericWidth, categoricalWidth } = inputTensors(manifest);
  const missing = required.find((name) => !inputs.some((tensor) => tensor.name === name));
  if (missing) {
    throw invalidField(['inputs'], `must hold the tensor "${missing}", once`);
  }
  const count = inputs[0]!.shape[0];
  const other = inputs.findIndex((tensor) => tensor.shape[0] !== count);
  if (other >= 0) {
    throw invalidField(['inputs', other, 'shape', 0], `must be ${count}, the rows of "${inputs[0]!.name}"`);
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
      throw invalidField(
        ['inputs', position, 'data'],
        `must hold ${count * width} values for shape [${count}, ${width}], flat or as ${count} rows of ${width}`,
      );
    }
    return { position, values, width, nested };
  };
  const { input: numericInput, categoricalInput } = manifest.onnx;
  const tensors = {
    numeric: tensorNamed(numericInput.name, numericWidth),
    categorical: tensorNamed(categoricalInput?.name, categoricalWidth),
  };
  const numericDatatype = String(inputs[tensors.numeric.position]?.datatype);
  const range = INTEGER_RANGES[numericDatatype];
  if (range) checkIntegers(tensors.numeric, numericDatatype, range);
  const { encoder } = schemas;
  const input = encoder.allocate(count);
  for (let r = 0; r < count; r++) {
    if (!encoder.encodeTensorRow(tensors.numeric.values, tensors.categorical.values, input, r)) {
      throw invalidValues(schemas, tensors, count);
    }
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
