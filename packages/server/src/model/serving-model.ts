import type { ModelManifest, TrustedKeys } from '@glyco/contract';
import { exampleRow } from './example-row.ts';
import type { ModelInput, ModelOutputs } from './inference-engine.ts';
import { type LoadedModel, loadModel } from './load-model.ts';
import { type BatchingOptions, type BatchReport, MicroBatcher } from './micro-batcher.ts';
import { ModelLoadError } from './model-load-error.ts';
import { compileRowEncoder } from './row-encoder.ts';

/**
 * A loaded model as requests see it: its manifest and a batched `predict`. Requests lease it for their whole
 * duration, so a model that is swapped out finishes every request that started on it before it is released.
 */
export class ServingModel {
  readonly manifest: ModelManifest;
  readonly directory: string;
  readonly #loaded: LoadedModel;
  readonly #batcher: MicroBatcher;
  #leases = 0;
  #onUnleased: (() => void) | undefined;
  #retired: Promise<void> | undefined;

  constructor(loaded: LoadedModel, batching: BatchingOptions, onBatch?: (report: BatchReport) => void) {
    this.#loaded = loaded;
    this.manifest = loaded.manifest;
    this.directory = loaded.directory;
    this.#batcher = new MicroBatcher(loaded.engine, batching, onBatch);
  }

  /** Runs encoded rows in the next batch. */
  predict(input: ModelInput, rows: number): Promise<ModelOutputs> {
    return this.#batcher.submit(input, rows);
  }

  /** Holds the model for one request; `retire` waits until every hold is released. */
  acquire(): this {
    this.#leases++;
    return this;
  }

  release(): void {
    if (--this.#leases === 0) this.#onUnleased?.();
  }

  /** Waits for the requests using this model, then its last batch, then frees the session (once). */
  retire(): Promise<void> {
    this.#retired ??= (async () => {
      if (this.#leases > 0) await new Promise<void>((resolve) => (this.#onUnleased = resolve));
      await this.#batcher.close();
      await this.#loaded.engine.release();
    })();
    return this.#retired;
  }
}

export interface OpenModelOptions {
  intraOpThreads: number;
  /** The keys the manifest must be signed by; unset: signatures are not checked. */
  trusted?: TrustedKeys | undefined;
  batching: BatchingOptions;
  onBatch?: (report: BatchReport) => void;
}

/** Loads and verifies the model in a directory, and warms it up with one run so the first request is fast. */
export async function openServingModel(directory: string, options: OpenModelOptions): Promise<ServingModel> {
  const loaded = await loadModel(directory, {
    intraOpThreads: options.intraOpThreads,
    trusted: options.trusted,
  });
  try {
    const encoder = compileRowEncoder(loaded.manifest);
    const input = encoder.allocate(1);
    if (!encoder.encodeObject(exampleRow(loaded.manifest), input, 0)) {
      throw new Error(
        'its example row (training medians, most frequent categories) is outside its own schema',
      );
    }
    await loaded.engine.run(input, 1);
  } catch (error) {
    await loaded.engine.release();
    throw new ModelLoadError(`${directory}: the model fails on a valid row: ${(error as Error).message}`);
  }
  return new ServingModel(loaded, options.batching, options.onBatch);
}
