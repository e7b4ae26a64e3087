export { type AliasMove, type AliasRecord, AliasRecordSchema } from './alias.ts';
export { type AliasEntry, listModels, type ModelEntry, type VersionEntry } from './catalog.ts';
export { apiBreaks } from './compatibility.ts';
export { RegistryError, WriteConflictError } from './errors.ts';
export { type FetchedModel, fetchModel } from './fetch.ts';
export { ALIASES_DIR } from './layout.ts';
export {
  formatModelUri,
  formatRegistryUri,
  type ModelRef,
  parseModelUri,
  parseRegistryUri,
  type RegistryLocation,
} from './location.ts';
export { openRegistry, openStore, type StoreOptions } from './open-store.ts';
export { type Published, type PublishedFile, publish } from './publish.ts';
export { type AliasChange, type PromoteOptions, promote, type RollbackOptions, rollback } from './release.ts';
export { createS3Client, s3ClientConfig } from './s3-store.ts';
export type { ObjectStore } from './store.ts';
export { readManifest, readVerifiedVersion, verifyModel } from './versions.ts';
export { type AliasMoved, type WatchOptions, watchAlias } from './watch.ts';
