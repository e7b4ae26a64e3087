import { parentPort, workerData } from 'node:worker_threads';
import type { ModelData } from './model-fitting.ts';
import { type FitJob, runFitJob } from './parallel.ts';

/** A worker thread of runFitJobs: the data arrives once (shared memory), then one job per message. */
const data = workerData as ModelData;
parentPort!.on('message', (job: FitJob) => {
  const result = runFitJob(data, job);
  parentPort!.postMessage(result, [result.outputs.buffer as ArrayBuffer]);
});
