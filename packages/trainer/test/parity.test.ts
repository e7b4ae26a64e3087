import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx } from '../src/onnx/export.ts';
import { seededRandom } from '../src/random.ts';
import { predictProbability, type TrainedModel } from '../src/trained-model.ts';
import { ALGORITHMS, fitModel } from '../src/training.ts';
import { loadPima, PIMA_NA_CSV } from './pima.ts';

const pima = loadPima();
const pimaWithEmptyCells = loadPima(PIMA_NA_CSV);

async function runOnnx(session: ort.InferenceSession, rows: number[][]) {
  const input = new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, rows[0]!.length]);
  const output = await session.run({ features: input });
  const probabilities = output.probabilities!.data as Float32Array;
  return {
    dims: [output.label!.dims, output.probabilities!.dims],
    positive: rows.map((_, i) => probabilities[2 * i + 1]!),
    negative: rows.map((_, i) => probabilities[2 * i]!),
    labels: Array.from(output.label!.data as BigInt64Array, Number),
  };
}

/** Largest |trainer − onnxruntime| over both probability columns, and how many labels disagree. */
async function compare(
  session: ort.InferenceSession,
  model: TrainedModel,
  rawRows: number[][],
  rows: number[][],
) {
  const onnx = await runOnnx(session, rawRows);
  const expected = rows.map((row) => predictProbability(model, row));
  const gaps = expected.flatMap((p, i) => [
    Math.abs(p - onnx.positive[i]!),
    Math.abs(1 - p - onnx.negative[i]!),
  ]);
  const labelMismatches = expected.filter((p, i) => (p >= 0.5 ? 1 : 0) !== onnx.labels[i]).length;
  return { maxGap: Math.max(...gaps), labelMismatches, dims: onnx.dims };
}

describe.each(ALGORITHMS)('%s: the exported ONNX model computes what the trainer computes', (algorithm) => {
  let model: TrainedModel;
  let session: ort.InferenceSession;

  beforeAll(async () => {
    model = fitModel(algorithm, pima.dataset.rows, pima.dataset.labels, 42);
    const bytes = exportOnnx(model, {
      producerName: 'test',
      producerVersion: '0',
      modelName: 'pima-diabetes',
      features: pima.dataset.features,
    });
    session = await ort.InferenceSession.create(bytes);
  });

  it('on every raw Pima row, zeros meaning "not measured" included (< 1e-6)', async () => {
    const result = await compare(session, model, pima.rawRows, pima.dataset.rows);
    expect(result.dims).toEqual([[768], [768, 2]]);
    expect(result.maxGap).toBeLessThan(1e-6);
    expect(result.labelMismatches).toBe(0);
  });

  it('on every row with empty cells sent as NaN', async () => {
    const result = await compare(session, model, pimaWithEmptyCells.rawRows, pimaWithEmptyCells.dataset.rows);
    expect(result.maxGap).toBeLessThan(1e-6);
    expect(result.labelMismatches).toBe(0);
  });

  it('on rows with random cells missing, in any column', async () => {
    const random = seededRandom(5);
    const rows = pima.dataset.rows.map((row) => row.map((value) => (random() < 0.3 ? Number.NaN : value)));
    const result = await compare(session, model, rows, rows);
    expect(rows.flat().filter(Number.isNaN).length).toBeGreaterThan(1500);
    expect(result.maxGap).toBeLessThan(1e-6);
    expect(result.labelMismatches).toBe(0);
  });

  it('on an all-missing row and one batch of a single row', async () => {
    const rows = [new Array(8).fill(Number.NaN)];
    const result = await compare(session, model, rows, rows);
    expect(result.dims).toEqual([[1], [1, 2]]);
    expect(result.maxGap).toBeLessThan(1e-6);
  });
});
