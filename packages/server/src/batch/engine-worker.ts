/**
 * The worker thread of `openWorkerModel`: loads and verifies the model as the server does, then runs the batches
 * it is sent, one at a time, answering each with its outputs or its error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { TrustedKeys } from '@glyco/contract';
import { loadModel } from '../model/load-model.ts';
import type { WorkerReply, WorkerRequest } from './worker-model.ts';

const port = parentPort!;
const reply = (message: WorkerReply) => port.postMessage(message);

try {
  const { directory, trusted } = workerData as { directory: string; trusted: TrustedKeys | undefined };
  const model = await loadModel(directory, { intraOpThreads: 1, trusted });
  port.on('message', async (request: WorkerRequest) => {
    try {
      reply({ kind: 'outputs', outputs: await model.engine.run(request.input, request.rows) });
    } catch (error) {
      reply({ kind: 'failed', message: (error as Error).message, name: (error as Error).name });
    }
  });
  reply({ kind: 'loaded', manifest: model.manifest });
} catch (error) {
  reply({ kind: 'failed', message: (error as Error).message, name: (error as Error).name });
}
