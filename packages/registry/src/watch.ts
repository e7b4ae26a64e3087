import { setTimeout as sleep } from 'node:timers/promises';
import { formatModelUri, parseModelUri } from '@glyco/contract';
import { type AliasRecord, decodeAlias, noSuchAlias } from './alias.ts';
import { RegistryError } from './errors.ts';
import { aliasKey } from './layout.ts';
import { openStore, type StoreOptions } from './open-store.ts';

export type AliasMoved = {
  name: string;
  alias: string;
  /** The version the alias points to now, and the URI to fetch it by (`fetchModel(move.uri, cacheDir)`). */
  version: string;
  uri: string;
  /** The version the caller served until now, if known. */
  from?: string;
  record: AliasRecord;
};

export type WatchOptions = StoreOptions & {
  intervalMs: number;
  /** The version the caller serves now; if the alias points elsewhere at the first poll, that is a move. */
  currentVersion?: string;
  /**
   * Called once per move, never twice at a time. If it throws (the new version failed to load), the move
   * is reported again at the next poll and the old version stays the accepted one.
   */
  onChange(move: AliasMoved): void | Promise<void>;
  /** A poll failed (network, missing alias, bad record) or onChange threw; polling goes on. Must not throw. */
  onError(error: Error): void;
  /** Stops the watch; the returned promise then resolves. */
  signal?: AbortSignal;
};

/**
 * Polls an alias (`<registry>/<name>@<alias>`) every `intervalMs` and reports when it points to another
 * version. Polls are conditional (If-None-Match on the etag): while nothing moves, S3 answers 304 without a body.
 */
export async function watchAlias(uri: string, options: WatchOptions): Promise<void> {
  const ref = parseModelUri(uri);
  if (ref.kind !== 'alias')
    throw new RegistryError(`${uri} names a fixed version: only <name>@<alias> can move`);
  if (!Number.isInteger(options.intervalMs) || options.intervalMs < 1) {
    throw new RegistryError(
      `the alias poll interval must be a positive whole number of ms, not ${options.intervalMs}`,
    );
  }
  const store = openStore(ref.registry, options);
  const key = aliasKey(ref.name, ref.alias);
  let accepted = options.currentVersion;
  let etag: string | undefined;
  while (!options.signal?.aborted) {
    try {
      const object = etag === undefined ? await store.read(key) : await store.readIfChanged(key, etag);
      if (object === undefined) throw noSuchAlias(store, ref.name, ref.alias);
      if (object !== 'unchanged') {
        const record = decodeAlias(object.body, `${store.uri}/${key}`);
        if (accepted !== undefined && record.version !== accepted) {
          const version = record.version;
          const versionUri = formatModelUri({
            registry: ref.registry,
            name: ref.name,
            kind: 'version',
            version,
          });
          const from = accepted;
          await options.onChange({
            name: ref.name,
            alias: ref.alias,
            version,
            uri: versionUri,
            from,
            record,
          });
        }
        accepted = record.version;
        etag = object.etag;
      }
    } catch (error) {
      options.onError(error instanceof Error ? error : new Error(String(error)));
    }
    await sleep(options.intervalMs, undefined, { signal: options.signal, ref: false }).catch(() => {});
  }
}
