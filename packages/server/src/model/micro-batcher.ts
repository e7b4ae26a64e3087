import { type InferenceEngine, type ModelInput, type ModelOutputs, outputRows } from './inference-engine.ts';

export interface BatchingOptions {
  /** Rows per run; a single request larger than this still runs, alone. */
  maxBatchRows: number;
  /** Under load, how long a queued request may wait for companions before its batch runs anyway. */
  maxWaitMs: number;
}

/** What one `run` did, for metrics. */
export interface BatchReport {
  rows: number;
  requests: number;
  durationMs: number;
}

interface Pending {
  input: ModelInput;
  rows: number;
  enqueuedAt: number;
  resolve(outputs: ModelOutputs): void;
  reject(error: unknown): void;
}

export class BatcherClosedError extends Error {
  override name = 'BatcherClosedError';
}

/** The inputs of a batch's requests, one after the other, as one input. */
function concat(batch: readonly Pending[], rows: number): ModelInput {
  const first = batch[0]!;
  if (batch.length === 1) return first.input;
  const { numeric, categorical } = first.input;
  const width = numeric.length / first.rows;
  const values =
    numeric instanceof Float64Array ? new Float64Array(rows * width) : new Float32Array(rows * width);
  let offset = 0;
  for (const pending of batch) {
    values.set(pending.input.numeric, offset);
    offset += pending.input.numeric.length;
  }
  return {
    numeric: values,
    categorical: categorical && batch.flatMap((pending) => pending.input.categorical!),
  };
}

/**
 * Adaptive micro-batching: concurrent requests are coalesced into one engine run. An idle batcher runs a
 * request on the next turn of the event loop, so a lone request is not delayed, yet every request parsed in the
 * same turn joins it. Requests that arrive while a run is under way queue up and form the next batch; only then,
 * under load, may a batch wait up to `maxWaitMs` to fill. One run at a time: onnxruntime-node's run blocks the
 * event loop, so concurrent runs would only queue inside it, one after another.
 */
export class MicroBatcher {
  readonly #engine: InferenceEngine;
  readonly #options: BatchingOptions;
  readonly #onBatch: (report: BatchReport) => void;
  #queue: Pending[] = [];
  #queuedRows = 0;
  #running = false;
  #underLoad = false;
  #flushScheduled = false;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #idleWaiters: (() => void)[] = [];

  constructor(
    engine: InferenceEngine,
    options: BatchingOptions,
    onBatch: (report: BatchReport) => void = () => {},
  ) {
    this.#engine = engine;
    this.#options = options;
    this.#onBatch = onBatch;
  }

  /** Runs `rows` encoded rows in the next batch and resolves with their slice of the outputs. */
  submit(input: ModelInput, rows: number): Promise<ModelOutputs> {
    if (this.#closed) return Promise.reject(new BatcherClosedError('the model is being unloaded'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ input, rows, enqueuedAt: performance.now(), resolve, reject });
      this.#queuedRows += rows;
      this.#schedule();
    });
  }

  /** Stops accepting work and resolves once every queued request has been answered. */
  close(): Promise<void> {
    this.#closed = true;
    if (!this.#running && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #schedule(): void {
    if (this.#running || this.#queue.length === 0) return;
    const full = this.#queuedRows >= this.#options.maxBatchRows;
    if (full || !this.#underLoad || this.#options.maxWaitMs === 0) {
      this.#flushSoon();
    } else if (!this.#timer) {
      const waited = performance.now() - this.#queue[0]!.enqueuedAt;
      this.#timer = setTimeout(() => this.#flush(), Math.max(0, this.#options.maxWaitMs - waited));
    }
  }

  #flushSoon(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => this.#flush());
  }

  #takeBatch(): { batch: Pending[]; rows: number } {
    let rows = 0;
    let count = 0;
    for (const pending of this.#queue) {
      if (count > 0 && rows + pending.rows > this.#options.maxBatchRows) break;
      rows += pending.rows;
      count++;
    }
    const batch = this.#queue.slice(0, count);
    this.#queue = this.#queue.slice(count);
    this.#queuedRows -= rows;
    return { batch, rows };
  }

  async #flush(): Promise<void> {
    this.#flushScheduled = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#running || this.#queue.length === 0) return;
    this.#running = true;
    const { batch, rows } = this.#takeBatch();
    const started = performance.now();
    try {
      const outputs = await this.#engine.run(concat(batch, rows), rows);
      const durationMs = performance.now() - started;
      let offset = 0;
      for (const pending of batch) {
        pending.resolve(batch.length === 1 ? outputs : outputRows(outputs, offset, offset + pending.rows));
        offset += pending.rows;
      }
      this.#onBatch({ rows, requests: batch.length, durationMs });
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    } finally {
      this.#running = false;
      this.#underLoad = this.#queue.length > 0;
      if (this.#queue.length > 0) this.#schedule();
      else for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }
}
