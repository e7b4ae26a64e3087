import { isCategorical, type ModelManifest } from '@glyco/contract';
import { z } from 'zod';

/** Open Inference Protocol v2 tensor datatypes for the model's input and outputs. */
export function tensorDatatype(dtype: 'float32' | 'float64'): 'FP32' | 'FP64' {
  return dtype === 'float64' ? 'FP64' : 'FP32';
}

/**
 * The datatypes a numeric tensor may be sent as (kserve/open-inference-protocol, specification/protocol/
 * inference_rest.md, Tensor Data Types): its values are JSON numbers either way, converted to the model's input
 * type. An integer type's values must be whole and within it. BOOL is not among them: no feature is a truth value.
 */
export const NUMERIC_DATATYPES = [
  'FP16',
  'FP32',
  'FP64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
] as const;

/** The range of each integer datatype; the 64-bit ones as far as a JSON number holds an integer exactly. */
export const INTEGER_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  INT8: [-(2 ** 7), 2 ** 7 - 1],
  INT16: [-(2 ** 15), 2 ** 15 - 1],
  INT32: [-(2 ** 31), 2 ** 31 - 1],
  INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  UINT8: [0, 2 ** 8 - 1],
  UINT16: [0, 2 ** 16 - 1],
  UINT32: [0, 2 ** 32 - 1],
  UINT64: [0, Number.MAX_SAFE_INTEGER],
};

/** A request may ask for a model's outputs, at most two of them (a classifier's label and probabilities). */
export const MAX_OUTPUTS = 2;
export const TOO_MANY_OUTPUTS = `must name at most ${MAX_OUTPUTS} outputs`;

/** What `inputs` must hold: the names of the tensors `required`. */
export function requiredTensorsMessage(required: readonly string[]): string {
  const names = required.map((name) => `"${name}"`).join(' and ');
  return `must hold ${required.length === 1 ? 'exactly one tensor' : 'the tensors'}, ${names}`;
}

const parameters = z.record(z.string(), z.unknown());
/** What one value of a tensor's `data` may be, and its name in an error message. */
interface Cell {
  schema: z.ZodType;
  one: string;
  many: string;
}
const numberCell: Cell = { schema: z.number().nullable(), one: 'a number', many: 'numbers' };
const textCell: Cell = { schema: z.string().nullable(), one: 'a text', many: 'texts' };

/** One input tensor of a v2 request: `[rows, width]`, data row-major (flat, or nested by row). */
function tensorSchema(
  name: string,
  width: number,
  widthIs: string,
  datatype: z.ZodType,
  cell: Cell,
  maxInstances: number,
) {
  return z.strictObject({
    name: z.literal(name),
    shape: z.tuple([z.int().min(1).max(maxInstances), z.literal(width, `must be ${width}, ${widthIs}`)], {
      error: `must be [rows, ${width}]`,
    }),
    datatype,
    parameters: parameters.optional(),
    data: z.array(
      z.union(
        [cell.schema, z.array(cell.schema)],
        `must be ${cell.one} (null for missing), or a row of ${cell.many}`,
      ),
      `must be an array of ${cell.many} (null for missing)`,
    ),
  });
}

/** The v2 input tensors of a model: `features`, and `categories` for a model with categorical features. */
export interface InputTensors {
  /** Names of the tensors a request must hold. */
  required: string[];
  numericWidth: number;
  categoricalWidth: number;
}

export function inputTensors(manifest: ModelManifest): InputTensors {
  const categoricalWidth = manifest.features.filter(isCategorical).length;
  const numericWidth = manifest.features.length - categoricalWidth;
  const { input, categoricalInput } = manifest.onnx;
  // A model on categories alone takes `features` as [rows, 0]: a client need not send an empty tensor.
  const required = [
    ...(numericWidth > 0 || !categoricalInput ? [input.name] : []),
    ...(categoricalInput ? [categoricalInput.name] : []),
  ];
  return { required, numericWidth, categoricalWidth };
}

/**
 * The v2 inference request for one model: the tensor named like the ONNX input, `[N, F]` numbers (null for a
 * missing value), and for a model with categorical features the tensor named like its categorical input,
 * `[N, C]` BYTES (texts, null for a missing one), both row-major. Feature values are then checked one by one
 * with the same row schema as `/predict`.
 */
export function buildInferenceRequestSchema(manifest: ModelManifest, maxInstances: number) {
  const { input, categoricalInput, outputs } = manifest.onnx;
  const { required, numericWidth, categoricalWidth } = inputTensors(manifest);
  const numeric = tensorSchema(
    input.name,
    numericWidth,
    categoricalInput ? 'the numeric feature count' : 'the feature count',
    z.enum(NUMERIC_DATATYPES, `must be one of ${NUMERIC_DATATYPES.map((type) => `"${type}"`).join(', ')}`),
    numberCell,
    maxInstances,
  );
  const tensors = categoricalInput
    ? z.discriminatedUnion(
        'name',
        [
          numeric,
          tensorSchema(
            categoricalInput.name,
            categoricalWidth,
            'the categorical feature count',
            z.literal('BYTES', 'must be "BYTES"'),
            textCell,
            maxInstances,
          ),
        ],
        { error: `must be "${input.name}" or "${categoricalInput.name}"` },
      )
    : numeric.extend({ name: z.literal(input.name, `must be "${input.name}"`) });
  const outputNames = Object.values(outputs);
  const shapes = [
    ...(required.includes(input.name) ? [`"${input.name}" [rows, ${numericWidth}]`] : []),
    ...(categoricalInput ? [`"${categoricalInput.name}" [rows, ${categoricalWidth}] (BYTES)`] : []),
  ];
  return z
    .strictObject({
      id: z.string().max(256).optional(),
      parameters: parameters.optional(),
      inputs: z
        .array(tensors)
        .min(required.length, requiredTensorsMessage(required))
        .max(required.length, requiredTensorsMessage(required)),
      outputs: z
        .array(
          z.strictObject({
            name: z.enum(
              outputNames as [string, ...string[]],
              `must be ${outputNames.map((name) => `"${name}"`).join(' or ')}`,
            ),
            parameters: parameters.optional(),
          }),
        )
        .max(MAX_OUTPUTS, TOO_MANY_OUTPUTS)
        .optional(),
    })
    .meta({ description: `Open Inference Protocol v2 inference request: ${shapes.join(' and ')}.` });
}

export type InferenceRequestSchema = ReturnType<typeof buildInferenceRequestSchema>;
