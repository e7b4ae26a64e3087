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
