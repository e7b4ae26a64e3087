import type { S3Client } from '@aws-sdk/client-s3';
import { parseRegistryUri, type RegistryLocation } from '@glyco/contract';
import { LocalStore } from './local-store.ts';
import { createS3Client, S3Store } from './s3-store.ts';
import type { ObjectStore } from './store.ts';

export type StoreOptions = {
  /** The S3 client to use; by default one from the standard AWS chain (see createS3Client). */
  s3Client?: S3Client;
};

/** The store a registry location names: a directory, or a prefix in an S3 bucket. */
export function openStore(location: RegistryLocation, options: StoreOptions = {}): ObjectStore {
  if (location.kind === 'file') return new LocalStore(location.dir);
  return new S3Store(location, options.s3Client ?? createS3Client());
}

export function openRegistry(uri: string, options: StoreOptions = {}): ObjectStore {
  return openStore(parseRegistryUri(uri), options);
}
