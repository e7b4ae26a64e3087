import { checkName, LOCKS_DIR } from '@glyco/contract';
import { z } from 'zod';
import { RegistryError, WriteConflictError } from './errors.ts';
import type { ObjectStore } from './store.ts';

/**
 * `<name>/locks/<purpose>.json` (a contract): who holds the lock, until when. A lock is taken by a conditional
 * write (create-only, or over a released or expired record by its etag), so two holders never both succeed; it
 * expires unless renewed, so a holder that crashed blocks the next one for one time-to-live at most.
 */
export const LockRecordSchema = z.object({
  schemaVersion: z.literal(1),
  name: z.string(),
  purpose: z.string(),
  /** The run that holds it. */
  holder: z.string(),
  by: z.string(),
  host: z.string(),
  acquiredAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  releasedAt: z.iso.datetime().optional(),
});
export type LockRecord = z.infer<typeof LockRecordSchema>;

/** Someone else holds the lock, and it has not expired. */
export class LockHeldError extends RegistryError {
  override name = 'LockHeldError';
  readonly record: LockRecord;
  constructor(record: LockRecord) {
    super(
      `${record.name} is locked for ${record.purpose} by run ${record.holder} (${record.by} on ${record.host}) ` +
        `until ${record.expiresAt}`,
    );
    this.record = record;
  }
}

export type LockOptions = {
  purpose: string;
  holder: string;
  by: string;
  host: string;
  /** How long the lock lasts unless renewed. */
  ttlMs: number;
  now?: () => Date;
};

export interface RegistryLock {
  readonly record: LockRecord;
  /** Extends the lock by its time-to-live from now; throws when it was lost (taken by another after expiring). */
  renew(): Promise<void>;
  /** Renews every third of the time-to-live until released; a failed renewal marks the lock lost. */
  keepAlive(): void;
  /** Throws unless the lock is still ours and unexpired: call it before anything the lock protects. */
  assertHeld(): void;
  /** Marks the lock released (if it is still ours); never throws for a lock already lost. */
  release(): Promise<void>;
}

export function lockKey(name: string, purpose: string): string {
  if (!/^[a-z][a-z0-9-]*$/.test(purpose)) throw new RegistryError(`invalid lock purpose "${purpose}"`);
  return `${checkName(name)}/${LOCKS_DIR}/${purpose}.json`;
}

/** Takes the lock, or throws LockHeldError naming its holder. */
export async function acquireLock(
  store: ObjectStore,
  name: string,
  options: LockOptions,
): Promise<RegistryLock> {
  if (!(options.ttlMs >= 1000))
    throw new RegistryError(`a lock's time-to-live must be at least 1 s, not ${options.ttlMs} ms`);
  const now = options.now ?? (() => new Date());
  const key = lockKey(name, options.purpose);
  const existing = await readLock(store, key);
  const taken = now();
  let record: LockRecord = {
    schemaVersion: 1,
    name,
    purpose: options.purpose,
    holder: options.holder,
    by: options.by,
    host: options.host,
    acquiredAt: taken.toISOString(),
    expiresAt: new Date(taken.getTime() + options.ttlMs).toISOString(),
  };
  if (existing && isActive(existing.record, taken)) throw new LockHeldError(existing.record);
  try {
    await writeLock(store, key, record, existing?.etag);
  } catch (error) {
    if (!(error instanceof WriteConflictError)) throw error;
    const winner = await readLock(store, key);
    throw winner ? new LockHeldError(winner.record) : error;
  }
  let etag = await ownEtag(store, key, record);
  let lost: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let renewing: Promise<void> | undefined;

  const replace = async (next: LockRecord) => {
    // Conditional on the etag, and checked by reading first as well, for S3-compatible servers that ignore If-Match.
    const current = await readLock(store, key);
    if (current?.etag !== etag)
      throw new WriteConflictError(`${store.uri}/${key} is no longer this holder's`);
    await writeLock(store, key, next, etag);
    record = next;
    etag = await ownEtag(store, key, next);
  };
  const lock: RegistryLock = {
    get record() {
      return record;
    },
    async renew() {
      lock.assertHeld();
      try {
        await replace({ ...record, expiresAt: new Date(now().getTime() + options.ttlMs).toISOString() });
      } catch (error) {
        if (!(error instanceof WriteConflictError)) throw error;
        lost = 'another holder took it after it expired';
        throw new RegistryError(`the lock on ${name} was lost: ${lost}`);
      }
    },
    keepAlive() {
      // A renewal that fails for another reason (the network) is tried again next time; the expiry still holds.
      timer ??= setInterval(
        () => {
          renewing = lock.renew().catch(() => {});
        },
        Math.max(options.ttlMs / 3, 100),
      );
      timer.unref();
    },
    assertHeld() {
      if (lost) throw new RegistryError(`the lock on ${name} was lost: ${lost}`);
      if (new Date(record.expiresAt) <= now()) {
        throw new RegistryError(
          `the lock on ${name} expired at ${record.expiresAt} before the work was done`,
        );
      }
    },
    async release() {
      clearInterval(timer);
      timer = undefined;
      await renewing;
      if (lost) return;
      try {
        await replace({ ...record, releasedAt: now().toISOString() });
      } catch (error) {
        if (!(error instanceof WriteConflictError)) throw error;
      }
    },
  };
  return lock;
}

/** Held: not released, and not yet expired. */
function isActive(record: LockRecord, at: Date): boolean {
  return record.releasedAt === undefined && new Date(record.expiresAt) > at;
}

async function readLock(
  store: ObjectStore,
  key: string,
): Promise<{ record: LockRecord; etag: string } | undefined> {
  const object = await store.read(key);
  if (!object) return undefined;
  try {
    return {
      record: LockRecordSchema.parse(JSON.parse(new TextDecoder().decode(object.body))),
      etag: object.etag,
    };
  } catch {
    throw new RegistryError(`${store.uri}/${key} is not a lock record; remove it if no retrain is running`);
  }
}

function writeLock(
  store: ObjectStore,
  key: string,
  record: LockRecord,
  etag: string | undefined,
): Promise<void> {
  return store.write(key, new TextEncoder().encode(`${JSON.stringify(record, null, 2)}\n`), {
    contentType: 'application/json',
    condition: etag === undefined ? { ifNoneMatch: '*' } : { ifMatch: etag },
  });
}

/** The etag of the lock as this holder wrote it, read back: the condition of its next renewal or release. */
async function ownEtag(store: ObjectStore, key: string, record: LockRecord): Promise<string> {
  const stored = await readLock(store, key);
  if (stored?.record.holder !== record.holder || stored.record.expiresAt !== record.expiresAt) {
    throw new WriteConflictError(`${store.uri}/${key} changed while it was being taken`);
  }
  return stored.etag;
}
