import { isCategorical, type ModelManifest } from '@glyco/contract';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import type { InferenceEngine, ModelInput, ModelOutputs } from './inference-engine.ts';

export interface OnnxEngineOptions {
  intraOpThreads: number;
}

function labelsAsInt32(data: Tensor['data']): Int32Array {
  if (data instanceof Int32Array) return data;
  if (data instanceof BigInt64Array) {
    // int64 labels arrive as BigInt, which JSON cannot carry; class indexes are tiny.
    const labels = new Int32Array(data.length);
    for (let i = 0; i < data.length; i++) labels[i] = Number(data[i]);
    return labels;
  }
  throw new Error(`the label output is ${data.constructor.name}, expected int64`);
}

function floats(name: string, data: Tensor['data']): Float32Array | Float64Array {
  if (data instanceof Float32Array || data instanceof Float64Array) return data;
  throw new Error(`the ${name} output is ${data.constructor.name}, expected float`);
}

/** The graph's input and output names the manifest promises. */
function ioNames(manifest: ModelManifest): { inputs: string[]; outputs: string[] } {
  const { input, categoricalInput, outputs } = manifest.onnx;
  return {
    inputs: categoricalInput ? [input.name, categoricalInput.name] : [input.name],
    outputs: Object.values(outputs),
  };
}

function checkGraph(session: InferenceSession, manifest: ModelManifest): void {
  const { inputs, outputs } = ioNames(manifest);
  const problems: string[] = [];
  for (const name of inputs) {
    if (!session.inputNames.includes(name)) {
      problems.push(`no input "${name}" (the graph has ${session.inputNames.join(', ')})`);
    }
  }
  for (const name of outputs) {
    if (!session.outputNames.includes(name)) {
      problems.push(`no output "${name}" (the graph has ${session.outputNames.join(', ')})`);
    }
  }
  if (problems.length > 0) throw new Error(`model.onnx does not match its manifest: ${problems.join('; ')}`);
}

/** Reads a run's results as the outputs of the manifest's task. */
function outputReader(manifest: ModelManifest): (results: InferenceSession.ReturnType) => ModelOutputs {
  if (manifest.task === 'regression') {
    const { value } = manifest.onnx.outputs;
    return (results) => {
      const values = floats(value, results[value]!.data);
      return { kind: 'values', values: values instanceof Float64Array ? values : Float64Array.from(values) };
    };
  }
  const { label, probabilities } = manifest.onnx.outputs;
  return (results) => ({
    kind: 'classes',
    labels: labelsAsInt32(results[label]!.data),
    probabilities: floats(probabilities, results[probabilities]!.data),
  });
}

/** An InferenceEngine backed by an onnxruntime-node session created from the verified model bytes. */
export async function createOnnxEngine(
  modelBytes: Uint8Array,
  manifest: ModelManifest,
  options: OnnxEngineOptions,
): Promise<InferenceEngine> {
  const session = await InferenceSession.create(modelBytes, {
    intraOpNumThreads: options.intraOpThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  });
  try {
    checkGraph(session, manifest);
  } catch (error) {
    await session.release();
    throw error;
  }
  const categoricalWidth = manifest.features.filter(isCategorical).length;
  const numericWidth = manifest.features.length - categoricalWidth;
  const { input, categoricalInput } = manifest.onnx;
  const readOutputs = outputReader(manifest);
  return {
    async run({ numeric, categorical }: ModelInput, rows: number): Promise<ModelOutputs> {
      const feeds: Record<string, Tensor> = {
        [input.name]: new Tensor(input.dtype, numeric, [rows, numericWidth]),
      };
      if (categoricalInput) {
        feeds[categoricalInput.name] = new Tensor('string', categorical ?? [], [rows, categoricalWidth]);
      }
      return readOutputs(await session.run(feeds));
    },
    release: () => session.release(),
  };
}
