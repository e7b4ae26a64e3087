import { describe, expect, it } from 'vitest';
import type {
  ClassifierOutputs,
  InferenceEngine,
  ModelInput,
  ModelOutputs,
} from '../../src/model/inference-engine.ts';
import { BatcherClosedError, type BatchReport, MicroBatcher } from '../../src/model/micro-batcher.ts';

const WIDTH = 2;

/**
 * A stand-in for the ONNX session that records each run and answers row i of a run with label = first feature
 * and probabilities [1 - x/100, x/100]: enough to see which rows went together and which answer came back.
 * The batching logic does not depend on the model; the real model is exercised in the app tests.
 */
function recordingEngine() {
  const runs: number[][] = [];
  const engine: InferenceEngine = {
    async run({ numeric }: ModelInput, rows: number): Promise<ModelOutputs> {
      await new Promise((resolve) => setImmediate(resolve));
      const firsts = Array.from({ length: rows }, (_, r) => numeric[r * WIDTH]!);
      runs.push(firsts);
      return {
        kind: 'classes',
        labels: Int32Array.from(firsts),
        probabilities: Float32Array.from(firsts.flatMap((x) => [1 - x / 100, x / 100])),
      };
    },
    release: async () => {},
  };
  return { engine, runs };
}

const rowsOf = (...firsts: number[]): ModelInput => ({
  numeric: Float32Array.from(firsts.flatMap((x) => [x, 0])),
  categorical: undefined,
});

describe('MicroBatcher', () => {
  it('coalesces requests submitted together into one run and gives each its own rows back', async () => {
    const { engine, runs } = recordingEngine();
    const reports: BatchReport[] = [];
    const batcher = new MicroBatcher(engine, { maxBatchRows: 100, maxWaitMs: 0 }, (r) => reports.push(r));
    const [a, b, c] = (await Promise.all([
      batcher.submit(rowsOf(1), 1),
      batcher.submit(rowsOf(2, 3), 2),
      batcher.submit(rowsOf(4), 1),
    ])) as [ClassifierOutputs, ClassifierOutputs, ClassifierOutputs];
    expect(runs).toEqual([[1, 2, 3, 4]]);
    expect([...a.labels]).toEqual([1]);
    expect([...b.labels]).toEqual([2, 3]);
    expect([...b.probabilities]).toEqual([...Float32Array.from([0.98, 0.02, 0.97, 0.03])]);
    expect([...c.labels]).toEqual([4]);
    expect(reports).toEqual([{ rows: 4, requests: 3, durationMs: expect.any(Number) }]);
  });

  it('does not hold a lone request for maxWaitMs when nothing else is waiting', async () => {
    const { engine } = recordingEngine();
    const batcher = new MicroBatcher(engine, { maxBatchRows: 100, maxWaitMs: 1000 });
    const started = performance.now();
    await batcher.submit(rowsOf(1), 1);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('queues requests that arrive during a run into the next run', async () => {
    const { engine, runs } = recordingEngine();
    const batcher = new MicroBatcher(engine, { maxBatchRows: 100, maxWaitMs: 0 });
    const first = batcher.submit(rowsOf(1), 1);
    await new Promise((resolve) => setImmediate(resolve)); // the first run has started
    const later = [batcher.submit(rowsOf(2), 1), batcher.submit(rowsOf(3), 1)];
    await Promise.all([first, ...later]);
    expect(runs).toEqual([[1], [2, 3]]);
  });

  it('under load, holds a batch up to maxWaitMs for companions', async () => {
    const { engine, runs } = recordingEngine();
    const batcher = new MicroBatcher(engine, { maxBatchRows: 100, maxWaitMs: 30 });
    const first = batcher.submit(rowsOf(1), 1);
    await new Promise((resolve) => setImmediate(resolve));
    const queued = batcher.submit(rowsOf(2), 1); // arrives during the first run: the batcher is under load
    await first;
    await new Promise((resolve) => setTimeout(resolve, 10));
    const straggler = batcher.submit(rowsOf(3), 1); // 10 ms later, while the second batch still waits
    await Promise.all([queued, straggler]);
    expect(runs).toEqual([[1], [2, 3]]);
  });

  it('splits at maxBatchRows and runs a request larger than that alone, never splitting a request', async () => {
    const { engine, runs } = recordingEngine();
    const batcher = new MicroBatcher(engine, { maxBatchRows: 3, maxWaitMs: 0 });
    await Promise.all([
      batcher.submit(rowsOf(1, 2), 2),
      batcher.submit(rowsOf(3, 4), 2),
      batcher.submit(rowsOf(5, 6, 7, 8), 4),
      batcher.submit(rowsOf(9), 1),
    ]);
    expect(runs).toEqual([[1, 2], [3, 4], [5, 6, 7, 8], [9]]);
  });

  it("joins requests' categories row by row with their numbers, and gives each its own values back", async () => {
    const inputs: ModelInput[] = [];
    const engine: InferenceEngine = {
      async run(input, rows) {
        inputs.push(input);
        // A value per row: its number plus the length of its category, so each row's answer is its own.
        const values = Float64Array.from(
          { length: rows },
          (_, r) => input.numeric[r]! + input.categorical![r]!.length,
        );
        return { kind: 'values', values };
      },
      release: async () => {},
    };
    const batcher = new MicroBatcher(engine, { maxBatchRows: 100, maxWaitMs: 0 });
    const request = (numbers: number[], categories: string[]): ModelInput => ({
      numeric: Float32Array.from(numbers),
      categorical: categories,
    });
    const answers = await Promise.all([
      batcher.submit(request([1, 2], ['a', 'bb']), 2),
      batcher.submit(request([10], ['']), 1),
    ]);
    expect(inputs).toHaveLength(1);
    expect([...inputs[0]!.numeric]).toEqual([1, 2, 10]);
    expect(inputs[0]!.categorical).toEqual(['a', 'bb', '']);
    expect(answers).toEqual([
      { kind: 'values', values: Float64Array.from([2, 4]) },
      { kind: 'values', values: Float64Array.from([10]) },
    ]);
  });

  it('rejects the requests of a failed run and keeps serving', async () => {
    let fail = true;
    const base = recordingEngine();
    const engine: InferenceEngine = {
      run: (values, rows) =>
        fail ? Promise.reject(new Error('engine failure')) : base.engine.run(values, rows),
      release: async () => {},
    };
    const batcher = new MicroBatcher(engine, { maxBatchRows: 100, maxWaitMs: 0 });
    await expect(batcher.submit(rowsOf(1), 1)).rejects.toThrow('engine failure');
    fail = false;
    await expect(batcher.submit(rowsOf(2), 1)).resolves.toMatchObject({ labels: Int32Array.from([2]) });
  });

  it('close() answers everything queued, then refuses new work', async () => {
    const { engine, runs } = recordingEngine();
    const batcher = new MicroBatcher(engine, { maxBatchRows: 100, maxWaitMs: 0 });
    const pending = [batcher.submit(rowsOf(1), 1), batcher.submit(rowsOf(2), 1)];
    await batcher.close();
    expect(runs).toEqual([[1, 2]]);
    await expect(Promise.all(pending)).resolves.toHaveLength(2);
    await expect(batcher.submit(rowsOf(3), 1)).rejects.toBeInstanceOf(BatcherClosedError);
  });
});
