import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isCategorical, MODEL_FILE, type ModelManifest, modelMismatch } from '@glyco/contract';
import type { LabelledRow } from '@glyco/prediction-log';
import { InferenceSession, Tensor } from 'onnxruntime-node';

/**
 * A classifier's class probabilities for each row, `[N, K]` row-major, computed by onnxruntime from the model's
 * own ONNX file and fed as a server feeds it (manifest feature order, NaN or "" for missing, a zero that means
 * "not measured" as missing): champion and challenger are judged by the answers they would serve.
 */
export async function classProbabilities(
  modelDir: string,
  manifest: ModelManifest,
  rows: readonly LabelledRow[],
): Promise<Float32Array | Float64Array> {
  if (manifest.task === 'regression') throw new Error('regression models are not scored on outcomes yet');
  const bytes = await readFile(join(modelDir, MODEL_FILE));
  const mismatch = modelMismatch(manifest, bytes);
  if (mismatch) throw new Error(`${join(modelDir, MODEL_FILE)}: ${mismatch}`);
  const session = await InferenceSession.create(bytes, { intraOpNumThreads: 1, logSeverityLevel: 3 });
  try {
    const results = await session.run(inputs(manifest, rows));
    const probabilities = results[manifest.onnx.outputs.probabilities]?.data;
    if (!(probabilities instanceof Float32Array || probabilities instanceof Float64Array)) {
      throw new Error(`${manifest.name} ${manifest.version} gave no float probabilities`);
    }
    return probabilities;
  } finally {
    await session.release();
  }
}

function inputs(manifest: ModelManifest, rows: readonly LabelledRow[]): Record<string, Tensor> {
  const numeric = manifest.features.filter((feature) => !isCategorical(feature));
  const categorical = manifest.features.filter(isCategorical);
  const { input, categoricalInput } = manifest.onnx;
  const values = new (input.dtype === 'float64' ? Float64Array : Float32Array)(rows.length * numeric.length);
  rows.forEach((row, r) => {
    numeric.forEach((feature, f) => {
      const value = row.inputs[feature.name];
      const missing = typeof value !== 'number' || (value === 0 && feature.zeroMeansMissing);
      values[r * numeric.length + f] = missing ? Number.NaN : value;
    });
  });
  const tensors: Record<string, Tensor> = {
    [input.name]: new Tensor(input.dtype, values, [rows.length, numeric.length]),
  };
  if (categoricalInput) {
    const texts = rows.flatMap((row) => categorical.map((feature) => String(row.inputs[feature.name] ?? '')));
    tensors[categoricalInput.name] = new Tensor('string', texts, [rows.length, categorical.length]);
  }
  return tensors;
}
