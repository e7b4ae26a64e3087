import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type ModelManifest, type TrustedKeys, workerModule } from '@glyco/contract';
import type { InferenceEngine, ModelInput, ModelOutputs } from '../model/inference-engine.ts';
import type { LoadedModel } from '../model/load-model.ts';
import { ModelLoadError } from '../model/model-load-error.ts';

/** The name of the engine worker's entry point: a bundle builds it beside itself (see scripts/bundle-options.ts). */
export const ENGINE_WORKER = 'engine-worker';

export type WorkerRequest = { kind: 'run'; input: ModelInput; rows: number };
export type WorkerReply =
  | { kind: 'loaded'; manifest: ModelManifest }
  | { kind: 'outputs'; outputs: ModelOutputs }
  | { kind: 'failed'; name: string; message: string };

/**
 * The model in `directory`, loaded and verified on a worker thread (`loadModel`, as the server loads it: its
 * signature too when keys are `trusted`), whose
 * runs happen there: onnxruntime-node's run blocks the thread it is called on, so a batch job reads and
 * validates its next batch on this thread while the worker runs the last one. One run at a time. A run takes
 * the input's numeric buffer (it is transferred, and empty here afterwards).
 */
export async function openWorkerModel(
  directory: string,
  trusted?: TrustedKeys,
): Promise<Pick<LoadedModel, 'manifest' | 'engine'>> {
  // Key objects are cloned to a worker as they are.
  const worker = new Worker(engineWorker(), { workerData: { directory, trusted } });
  // One request at a time: the reply to it, or the worker's failure (then every later request fails too).
  let awaiting: ((reply: WorkerReply) => void) | undefined;
  let broken: WorkerReply | undefined;
  const settle = (reply: WorkerReply) => {
    const resolve = awaiting;
    awaiting = undefined;
    resolve?.(reply);
  };
  worker.on('message', settle);
  for (const event of ['error', 'exit'] as const) {
    worker.on(event, (cause: unknown) => {
      broken ??= fail(event === 'exit' ? new Error(`it exited (${String(cause)})`) : cause);
      settle(broken);
    });
  }
  const next = () =>
    new Promise<WorkerReply>((resolve) => {
      if (broken) resolve(broken);
      else awaiting = resolve;
    });
  const first = await next();
  if (first.kind !== 'loaded') {
    await worker.terminate();
    throw first.kind === 'failed' && first.name === 'ModelLoadError'
      ? new ModelLoadError(first.message)
      : new Error(first.kind === 'failed' ? first.message : 'the model worker answered out of turn');
  }
  let queue = Promise.resolve();
  const engine: InferenceEngine = {
    run(input, rows) {
      const run = queue.then(async () => {
        const reply = next();
        // The numbers move to the worker rather than being copied: the caller hands a batch over for good.
        worker.postMessage({ kind: 'run', input, rows } satisfies WorkerRequest, [
          input.numeric.buffer as ArrayBuffer,
        ]);
        const message = await reply;
        if (message.kind === 'outputs') return message.outputs;
        throw new Error(
          message.kind === 'failed' ? message.message : 'the model worker answered out of turn',
        );
      });
      queue = run.then(
        () => {},
        () => {},
      );
      return run;
    },
    // The session goes with its thread.
    release: () => worker.terminate().then(() => {}),
  };
  return { manifest: first.manifest, engine };
}

function fail(error: unknown): WorkerReply {
  return { kind: 'failed', name: 'Error', message: `the model worker failed: ${(error as Error).message}` };
}

function engineWorker(): URL {
  return workerModule(
    ENGINE_WORKER,
    import.meta.url,
    () =>
      new ModelLoadError(
        `the model worker is missing beside ${fileURLToPath(import.meta.url)}: a bundle must build ` +
          `@glyco/server's src/batch/${ENGINE_WORKER}.ts as the entry point "${ENGINE_WORKER}"`,
      ),
  );
}
