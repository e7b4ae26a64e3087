import { fileURLToPath } from 'node:url';
import { FIT_WORKER } from './parallel.ts';

/**
 * What a bundler must know to bundle the trainer (the jobs image's dist/ does): large data is fitted on worker
 * threads, and a worker runs a module file of its own, so its entry point must be built beside the bundle under
 * the name `parallel.ts` looks for.
 */
export const TRAINER_BUNDLE = {
  entryPoints: { [FIT_WORKER]: fileURLToPath(new URL(`./${FIT_WORKER}.ts`, import.meta.url)) },
};
