import type { BinaryNumericManifest as ModelManifest } from '@glyco/contract';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import type { FeatureTensorData, InferenceEngine, ModelOutputs } from './inference-engine.ts';

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

function checkGraph(session: InferenceSession, manifest: ModelManifest): void {
  const { input, outputs } = manifest.onnx;
  const problems: string[] = [];
  if (!session.inputNames.includes(input.name)) {
    problems.push(`no input "${input.name}" (the graph has ${session.inputNames.join(', ')})`);
  }
  for (const name of [outputs.label, outputs.probabilities]) {
    if (!session.outputNames.includes(name)) {
      problems.push(`no output "${name}" (the graph has ${session.outputNames.join(', ')})`);
    }
  }
  if (problems.length > 0) throw new Error(`model.onnx does not match its manifest: ${problems.join('; ')}`);
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
  const width = manifest.features.length;
  const { input, outputs } = manifest.onnx;
  return {
    async run(values: FeatureTensorData, rows: number): Promise<ModelOutputs> {
      const tensor = new Tensor(input.dtype, values, [rows, width]);
      const results = await session.run({ [input.name]: tensor });
      const probabilities = results[outputs.probabilities]!.data;
      if (!(probabilities instanceof Float32Array || probabilities instanceof Float64Array)) {
        throw new Error(`the probabilities output is ${probabilities.constructor.name}, expected float`);
      }
      return { labels: labelsAsInt32(results[outputs.label]!.data), probabilities };
    },
    release: () => session.release(),
  };
}
