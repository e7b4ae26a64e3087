/** Helpers for tests of the log and of programs that write to it: real databases, plausible records. */
export {
  type BackendUnderTest,
  backends,
  describeEachBackend,
  pglite,
  postgres,
  queryPglite,
  queryPostgres,
  type TestBackend,
  type TestDatabase,
} from './backends.ts';
export { bundledManifest, sampleRows } from './drift-samples.ts';
export { memoryLogger, prediction, waitFor } from './records.ts';
