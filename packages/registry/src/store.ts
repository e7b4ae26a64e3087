import type { S3Client } from '@aws-sdk/client-s3';
import { LocalStore } from './local-store.ts';
import type { RegistryLocation } from './location.ts';
import { parseRegistryUri } from './location.ts';
import { createS3Client, S3Store } from './s3-store.ts';

export type StoredObject = { body: Uint8Array; etag: string };

/** Create-only (`ifNoneMatch: '*'`) or compare-and-swap against the etag that was read (`ifMatch`). */
export type WriteCondition = { ifNoneMatch: '*' } | { ifMatch: string };

/** The few operations the registry needs, over keys relative to the registry root (`<name>/<version>/…`). */
export interface ObjectStore {
  /** The registry root, for messages: `s3://<bucket>/<prefix>` or a directory. */
  readonly uri: string;
  /** Undefined when the object does not exist. */
  read(key: string): Promise<StoredObject | undefined>;
  /** Like read, but 'unchanged' while the object's etag still equals `etag` (no body is transferred). */
  readIfChanged(key: string, etag: string): Promise<StoredObject | 'unchanged' | undefined>;
  exists(key: string): Promise<boolean>;
  /** Throws WriteConflictError when the condition does not hold. */
  write(
    key: string,
    body: Uint8Array,
    options: { contentType: string; condition?: WriteCondition },
  ): Promise<void>;
  /**
   * Every key below a folder, relative to it, skipping dot-named entries. Recursive on purpose: S3-compatible
   * servers differ in their support of delimiter listings, a registry is small, and one listing serves a catalog.
   */
  listKeys(folder: string): Promise<string[]>;
}

export type StoreOptions = {
  /** The S3 client to use; by default one from the standard AWS chain (see createS3Client). */
  s3Client?: S3Client;
};

export function openStore(location: RegistryLocation, options: StoreOptions = {}): ObjectStore {
  if (location.kind === 'file') return new LocalStore(location.dir);
  return new S3Store(location, options.s3Client ?? createS3Client());
}

export function openRegistry(uri: string, options: StoreOptions = {}): ObjectStore {
  return openStore(parseRegistryUri(uri), options);
}
