import { ProtoWriter } from './protobuf.ts';

/**
 * The subset of ONNX's ModelProto that the trainer emits, and its encoder. Field numbers follow onnx/onnx.proto
 * (IR version 8): ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto.
 */
export const ELEMENT_TYPES = { float: 1, string: 8, int64: 7, bool: 9, double: 11 } as const;
export type ElementType = keyof typeof ELEMENT_TYPES;

/** A constant tensor (numbers only: string data enters through graph inputs and attributes). */
export type Tensor = {
  name: string;
  type: Exclude<ElementType, 'string'>;
  dims: readonly number[];
  values: readonly number[];
};

export type Attribute =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'strings'; value: readonly string[] }
  | { kind: 'tensor'; value: Tensor };

export type Node = {
  opType: string;
  domain?: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  /** Encoded in the order given. */
  attributes?: Readonly<Record<string, Attribute>>;
};

/** A dimension is a fixed size or a symbolic name such as "N" (any batch size). */
export type ValueInfo = { name: string; type: ElementType; shape: readonly (number | string)[] };

export type Graph = {
  name: string;
  nodes: readonly Node[];
  initializers: readonly Tensor[];
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
};

export type Model = {
  irVersion: number;
  /** Domain ('' is the default ONNX domain) → opset version. */
  opsets: Readonly<Record<string, number>>;
  producerName: string;
  producerVersion: string;
  docString: string;
  graph: Graph;
  metadata: Readonly<Record<string, string>>;
};

const ATTRIBUTE_TYPES = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7, strings: 8 } as const;

export function encodeModel(model: Model): Uint8Array {
  const writer = new ProtoWriter().varint(1, model.irVersion);
  writer.string(2, model.producerName).string(3, model.producerVersion).string(6, model.docString);
  writer.message(7, encodeGraph(model.graph));
  for (const [domain, version] of Object.entries(model.opsets)) {
    writer.message(8, new ProtoWriter().string(1, domain).varint(2, version));
  }
  for (const [key, value] of Object.entries(model.metadata)) {
    writer.message(14, new ProtoWriter().string(1, key).string(2, value));
  }
  return writer.finish();
}

function encodeGraph(graph: Graph): ProtoWriter {
  const writer = new ProtoWriter();
  for (const node of graph.nodes) writer.message(1, encodeNode(node));
  writer.string(2, graph.name);
  for (const tensor of graph.initializers) writer.message(5, encodeTensor(tensor));
  for (const input of graph.inputs) writer.message(11, encodeValueInfo(input));
  for (const output of graph.outputs) writer.message(12, encodeValueInfo(output));
  return writer;
}

function encodeNode(node: Node): ProtoWriter {
  const writer = new ProtoWriter();
  for (const input of node.inputs) writer.string(1, input);
  for (const output of node.outputs) writer.string(2, output);
  writer.string(3, node.name).string(4, node.opType);
  for (const [name, attribute] of Object.entries(node.attributes ?? {})) {
    writer.message(5, encodeAttribute(name, attribute));
  }
  if (node.domain) writer.string(7, node.domain);
  return writer;
}

function encodeAttribute(name: string, attribute: Attribute): ProtoWriter {
  const writer = new ProtoWriter().string(1, name);
  switch (attribute.kind) {
    case 'float':
      writer.float(2, attribute.value);
      break;
    case 'int':
      writer.varint(3, attribute.value);
      break;
    case 'string':
      writer.string(4, attribute.value);
      break;
    case 'tensor':
      writer.message(5, encodeTensor(attribute.value));
      break;
    case 'floats':
      for (const value of attribute.value) writer.float(7, value);
      break;
    case 'ints':
      for (const value of attribute.value) writer.varint(8, value);
      break;
    case 'strings':
      for (const value of attribute.value) writer.string(9, value);
      break;
  }
  return writer.varint(20, ATTRIBUTE_TYPES[attribute.kind]);
}

/** Tensor values go into raw_data: fixed-width little-endian, the exact bits of each double or float. */
export function encodeTensor(tensor: Tensor): ProtoWriter {
  const count = tensor.dims.reduce((product, dim) => product * dim, 1);
  if (count !== tensor.values.length) {
    throw new RangeError(
      `tensor ${tensor.name}: dims [${tensor.dims}] hold ${count} values, got ${tensor.values.length}`,
    );
  }
  const writer = new ProtoWriter();
  for (const dim of tensor.dims) writer.varint(1, dim);
  writer.varint(2, ELEMENT_TYPES[tensor.type]).string(8, tensor.name);
  return writer.bytesField(9, rawData(tensor));
}

function rawData({ type, values }: Tensor): Uint8Array {
  const width = { float: 4, int64: 8, bool: 1, double: 8 }[type];
  const view = new DataView(new ArrayBuffer(values.length * width));
  values.forEach((value, index) => {
    const offset = index * width;
    if (type === 'float') view.setFloat32(offset, value, true);
    else if (type === 'double') view.setFloat64(offset, value, true);
    else if (type === 'int64') view.setBigInt64(offset, BigInt(value), true);
    else view.setUint8(offset, value ? 1 : 0);
  });
  return new Uint8Array(view.buffer);
}

function encodeValueInfo(info: ValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const dim of info.shape) {
    shape.message(
      1,
      typeof dim === 'number' ? new ProtoWriter().varint(1, dim) : new ProtoWriter().string(2, dim),
    );
  }
  const tensorType = new ProtoWriter().varint(1, ELEMENT_TYPES[info.type]).message(2, shape);
  return new ProtoWriter().string(1, info.name).message(2, new ProtoWriter().message(1, tensorType));
}
