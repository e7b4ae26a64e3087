import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type AlgorithmName, workerModule } from '@glyco/contract';
import { type FitRequest, fitModel, type ModelData } from './model-fitting.ts';
import type { Rows } from './preprocessing.ts';
import { predictRows, type TrainedModel } from './trained-model.ts';

/** One fit on `rows`, then its outputs on `predict`; a refit keeps its model too. */
export type FitJob = Omit<FitRequest, 'onRound'> & {
  predict: Rows;
  keepModel?: boolean;
  /** For progress reports. */
  label: { algorithm: AlgorithmName; fold: number };
};
export type FitResult = { outputs: Float64Array; model?: TrainedModel };

type RoundReport = (algorithm: AlgorithmName, round: number, maxRounds: number) => void;

export function runFitJob(data: ModelData, job: FitJob, onRound?: RoundReport): FitResult {
  const model = fitModel(data, {
    ...job,
    onRound: onRound && ((round, maxRounds) => onRound(job.label.algorithm, round, maxRounds)),
  });
  const outputs = predictRows(model, data, job.predict);
  return job.keepModel ? { outputs, model } : { outputs };
}

/**
 * Runs the jobs, in this thread (`workers` 0) or on worker threads that share the data's memory. Each job's
 * result depends on the job alone (its rows and seed), so where it runs changes nothing: results come back in
 * job order, the same bytes either way. Boosting rounds are reported from this thread only.
 */
export async function runFitJobs(
  data: ModelData,
  jobs: readonly FitJob[],
  workers: number,
  onStart: (job: FitJob) => void,
  onRound?: RoundReport,
): Promise<FitResult[]> {
  if (workers <= 0) {
    return jobs.map((job) => {
      onStart(job);
      return runFitJob(data, job, onRound);
    });
  }
  const results = new Array<FitResult>(jobs.length);
  let next = 0;
  const threads = Array.from(
    { length: Math.min(workers, jobs.length) },
    () => new Worker(workerScript(), { workerData: data }),
  );
  try {
    await Promise.all(
      threads.map(async (thread) => {
        while (next < jobs.length) {
          const index = next++;
          onStart(jobs[index]!);
          results[index] = await runOn(thread, jobs[index]!);
        }
      }),
    );
  } finally {
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
  return results;
}

function runOn(thread: Worker, job: FitJob): Promise<FitResult> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      thread.off('message', onMessage);
      thread.off('error', onError);
    };
    const onMessage = (result: FitResult) => {
      cleanup();
      resolve(result);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    thread.on('message', onMessage);
    thread.on('error', onError);
    thread.postMessage(job);
  });
}

/** The name of the fit worker's entry point: a bundle builds it beside itself (see bundling.ts). */
export const FIT_WORKER = 'fit-worker';

/** The worker's module: the bundled entry beside this bundle, else the source beside this file. */
function workerScript(): URL {
  return workerModule(
    FIT_WORKER,
    import.meta.url,
    () =>
      new Error(
        `the fit worker is missing beside ${fileURLToPath(import.meta.url)}: a bundle must build @glyco/trainer's ` +
          `src/${FIT_WORKER}.ts as the entry point "${FIT_WORKER}"`,
      ),
  );
}
