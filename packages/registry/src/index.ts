export { type AliasMove, type AliasRecord, AliasRecordSchema, requireAlias } from './alias.ts';
export { type AliasEntry, listModels, type ModelEntry, type VersionEntry } from './catalog.ts';
export { apiBreaks } from './compatibility.ts';
export { datasetKey, readDataset, type StoredDataset, storeDataset } from './datasets.ts';
export { RegistryError, WriteConflictError } from './errors.ts';
export { type FetchedModel, type FetchOptions, fetchModel } from './fetch.ts';
export {
  acquireLock,
  LockHeldError,
  type LockOptions,
  type LockRecord,
  lockKey,
  type RegistryLock,
} from './lock.ts';
export { nextFreeVersion } from './next-version.ts';
export { openRegistry, openStore, type StoreOptions } from './open-store.ts';
export {
  type Published,
  type PublishedFile,
  type PublishOptions,
  publish,
  signModelDir,
} from './publish.ts';
export {
  type AliasChange,
  currentActor,
  DEFAULT_CV_TOLERANCE,
  type PromoteOptions,
  type PromotionEvidence,
  promote,
  type RollbackOptions,
  rollback,
} from './release.ts';
export {
  listRuns,
  newRunId,
  RUN_DECISIONS,
  type RunDecision,
  type RunEntry,
  type RunRecord,
  RunRecordSchema,
  readRun,
  runKey,
  runVersionLabel,
  writeRun,
} from './runs.ts';
export { createS3Client, s3ClientConfig } from './s3-store.ts';
export { KMS_SIGNING_KEY_SPEC, kmsSigner } from './signing/kms-signer.ts';
export { createSigningKeyPair, localSigner } from './signing/local-signer.ts';
export { signVersion } from './signing/sign-manifest.ts';
export type { ManifestSigner } from './signing/signer.ts';
export type { ObjectStore } from './store.ts';
export { readManifest, readVerifiedVersion, verifyManifestSignature, verifyModel } from './versions.ts';
export { type AliasMoved, type WatchOptions, watchAlias } from './watch.ts';
