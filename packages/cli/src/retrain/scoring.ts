import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isCategorical, MODEL_FILE, type ModelManifest, modelMismatch } from '@glyco/contract';
import type { LabelledRow } from '@glyco/prediction-log';
import { InferenceSession, Tensor } from 'onnxruntime-node';

/**
 * What a model answers for each row, computed by onnxruntime from the model's own ONNX file and fed as a server
 * feeds it (manifest feature order, NaN or "" for missing, a zero that means "not measured" as missing): a
 * classifier's class probabilities `[N, K]` row-major, a regression model's values `[N]`. Champion and
 * challenger are judged by the answers they would serve.
 */
export async function servedAnswers(
  modelDir: string,
  manifest: ModelManifest,
  rows: readonly LabelledRow[],
): Promise<Float32Array | Float64Array> {
  const bytes = await readFile(join(modelDir, MODEL_FILE));
  const mismatch = modelMismatch(manifest, bytes);
  if (mismatch) throw new Error(`${join(modelDir, MODEL_FILE)}: ${mismatch}`);
  const output =
    manifest.task === 'regression' ? manifest.onnx.outputs.value : manifest.onnx.outputs.probabilities;
  const session = await InferenceSession.create(bytes, { intraOpNumThreads: 1, logSeverityLevel: 3 });
  try {
    const results = await session.run(inputs(manifest, rows), [output]);
    const answers = results[output]?.data;
    if (!(answers instanceof Float32Array || answers instanceof Float64Array)) {
      throw new Error(`${manifest.name} ${manifest.version} gave no float ${output}`);
    }
    return answers;
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
