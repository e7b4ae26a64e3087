/**
 * Helpers for tests of the log and of the programs that write to it (`@glyco/prediction-log/testing`): real
 * databases of each backend, plausible records, logged inputs drawn from a model's reference.
 */
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
export { itWithMount, makeReadOnly, mountTmpfs, mountUnavailable } from './filesystems.ts';
export { classPrediction, memoryLogger, prediction, valuePrediction, waitFor } from './records.ts';
