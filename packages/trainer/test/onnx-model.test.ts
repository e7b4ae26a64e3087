import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { attr, GraphBuilder } from '../src/onnx/graph-builder.ts';
import { encodeModel, encodeTensor, type Model } from '../src/onnx/model.ts';

function tinyModel(graph: GraphBuilder, outputType: 'double' | 'int64'): Model {
  return {
    irVersion: 8,
    opsets: { '': 17 },
    producerName: 'test',
    producerVersion: '0',
    docString: '',
    graph: {
      name: 'tiny',
      nodes: graph.nodes,
      initializers: graph.initializers,
      inputs: [{ name: 'x', type: 'double', shape: ['N', 2] }],
      outputs: [{ name: 'y', type: outputType, shape: ['N', 2] }],
    },
    metadata: { purpose: 'test' },
  };
}

// onnxruntime is the independent decoder: if it runs the model and gets the right numbers, the encoding is right.
describe('ONNX encoding', () => {
  it('produces a model onnxruntime loads and runs with the constants intact', async () => {
    const graph = new GraphBuilder();
    const offset = graph.constant('offset', 'double', [2], [0.1, -2.5e-300]);
    graph.op('Add', ['x', offset], 'y');
    const session = await ort.InferenceSession.create(encodeModel(tinyModel(graph, 'double')));
    const result = await session.run({
      x: new ort.Tensor('float64', Float64Array.from([1, 2, 3, 4]), [2, 2]),
    });
    expect(Array.from(result.y!.data as Float64Array)).toEqual([1.1, 2 - 2.5e-300, 3.1, 4 - 2.5e-300]);
    expect(session.inputNames).toEqual(['x']);
  });

  it('encodes int attributes and int64 constants', async () => {
    const graph = new GraphBuilder();
    const indices = graph.constant('indices', 'int64', [2], [1, 0]);
    const swapped = graph.op('Gather', ['x', indices], 'swapped', { axis: attr.int(1) });
    graph.op('Cast', [swapped], 'y', { to: attr.int(7) });
    const session = await ort.InferenceSession.create(encodeModel(tinyModel(graph, 'int64')));
    const result = await session.run({
      x: new ort.Tensor('float64', Float64Array.from([1, 2, 3, 4]), [2, 2]),
    });
    expect(Array.from(result.y!.data as BigInt64Array)).toEqual([2n, 1n, 4n, 3n]);
  });

  it('encodes the same model to the same bytes', () => {
    const build = () => {
      const graph = new GraphBuilder();
      graph.op('Add', ['x', graph.constant('c', 'double', [2], [Math.PI, Math.E])], 'y');
      return encodeModel(tinyModel(graph, 'double'));
    };
    expect(Buffer.from(build()).equals(Buffer.from(build()))).toBe(true);
  });

  it('refuses a tensor whose values do not fill its dims', () => {
    expect(() => encodeTensor({ name: 't', type: 'double', dims: [2, 2], values: [1, 2, 3] })).toThrow(
      /dims \[2,2\] hold 4 values, got 3/,
    );
  });

  it('refuses to define a value twice', () => {
    const graph = new GraphBuilder();
    graph.op('Identity', ['x'], 'y');
    expect(() => graph.op('Identity', ['x'], 'y')).toThrow(/defined twice/);
  });
});
