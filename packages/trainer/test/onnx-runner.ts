import type { FeatureSpec } from '@glyco/contract';
import * as ort from 'onnxruntime-node';
import type { FeatureData } from '../src/preprocessing.ts';

/** Raw rows as a client would send them: numbers (NaN missing) and category texts ("" missing). */
export type RawRow = (number | string)[];

/** Every row of the data as a client would send it. */
export function rawRows(data: FeatureData): RawRow[] {
  const rows = data.columns[0]!.length;
  return Array.from({ length: rows }, (_, row) =>
    data.features.map((feature, index) => {
      const value = data.columns[index]![row]!;
      if (feature.dtype !== 'category') return value;
      return value < 0 ? '' : feature.categories[value]!;
    }),
  );
}

/** Feeds raw rows to a model's ONNX inputs and returns its outputs as plain arrays. */
export async function runOnnx(
  session: ort.InferenceSession,
  features: readonly FeatureSpec[],
  rows: RawRow[],
) {
  const numeric = features.flatMap((feature, index) => (feature.dtype === 'category' ? [] : [index]));
  const categorical = features.flatMap((feature, index) => (feature.dtype === 'category' ? [index] : []));
  const feeds: Record<string, ort.Tensor> = {
    features: new ort.Tensor(
      'float32',
      Float32Array.from(rows.flatMap((row) => numeric.map((index) => row[index] as number))),
      [rows.length, numeric.length],
    ),
  };
  if (categorical.length) {
    feeds.categories = new ort.Tensor(
      'string',
      rows.flatMap((row) => categorical.map((index) => row[index] as string)),
      [rows.length, categorical.length],
    );
  }
  const output = await session.run(feeds);
  return {
    labels: output.label && Array.from(output.label.data as BigInt64Array, Number),
    probabilities: output.probabilities && Array.from(output.probabilities.data as Float32Array),
    values: output.value && Array.from(output.value.data as Float64Array),
    dims: Object.fromEntries(Object.entries(output).map(([name, tensor]) => [name, tensor.dims])),
  };
}
