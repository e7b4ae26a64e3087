import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLock, LockHeldError, type LockOptions } from '../src/index.ts';
import { LocalStore } from '../src/local-store.ts';
import { registryBackends, registryPerTest, temporaryDir } from './support.ts';

const MODEL = 'pima-diabetes';
const KEY = `${MODEL}/locks/retrain.json`;

function holder(id: string, patch: Partial<LockOptions> = {}): LockOptions {
  return { purpose: 'retrain', holder: id, by: `${id}@ci`, host: 'ci', ttlMs: 60_000, ...patch };
}

/** A clock a test moves by hand. */
function clock(start: string) {
  let now = new Date(start).getTime();
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

describe.each(Object.keys(registryBackends))('the retrain lock in a registry at %s', (kind) => {
  const registry = registryPerTest(kind);

  it('refuses a second holder, naming the first, until the first releases it', async () => {
    const first = await acquireLock(registry.store, MODEL, holder('run-a'));
    const refusal = acquireLock(registry.store, MODEL, holder('run-b'));
    await expect(refusal).rejects.toBeInstanceOf(LockHeldError);
    await expect(refusal).rejects.toThrow(
      /pima-diabetes is locked for retrain by run run-a \(run-a@ci on ci\) until/,
    );

    await first.release();
    const second = await acquireLock(registry.store, MODEL, holder('run-b'));
    expect(second.record.holder).toBe('run-b');
    const stored = JSON.parse(new TextDecoder().decode((await registry.store.read(KEY))!.body));
    expect(stored).toMatchObject({ holder: 'run-b', purpose: 'retrain' });
    expect(stored.releasedAt).toBeUndefined();
  });

  it('expires, so that a holder that crashed blocks the next one for one time-to-live at most', async () => {
    const time = clock('2026-12-05T06:00:00Z');
    await acquireLock(registry.store, MODEL, holder('crashed', { ttlMs: 10_000, now: time.now }));
    time.advance(9_999);
    await expect(acquireLock(registry.store, MODEL, holder('next', { now: time.now }))).rejects.toThrow(
      LockHeldError,
    );
    time.advance(1);
    expect((await acquireLock(registry.store, MODEL, holder('next', { now: time.now }))).record.holder).toBe(
      'next',
    );
  });

  it('renewed, lasts past its first expiry; lost, it says so before the work it protects', async () => {
    const time = clock('2026-12-05T06:00:00Z');
    const lock = await acquireLock(registry.store, MODEL, holder('slow', { ttlMs: 10_000, now: time.now }));
    time.advance(8_000);
    await lock.renew();
    time.advance(8_000);
    lock.assertHeld();
    await expect(acquireLock(registry.store, MODEL, holder('other', { now: time.now }))).rejects.toThrow(
      LockHeldError,
    );

    time.advance(2_001); // the holder paused past its expiry: another takes over
    await acquireLock(registry.store, MODEL, holder('other', { now: time.now }));
    expect(() => lock.assertHeld()).toThrow(/the lock on pima-diabetes expired at/);
    await lock.release(); // does not release the other's lock
    await expect(acquireLock(registry.store, MODEL, holder('third', { now: time.now }))).rejects.toThrow(
      /run other/,
    );
  });

  it('keeps itself alive while the work runs', async () => {
    const lock = await acquireLock(registry.store, MODEL, holder('busy', { ttlMs: 1_000 }));
    lock.keepAlive();
    await sleep(1_500);
    lock.assertHeld();
    await expect(acquireLock(registry.store, MODEL, holder('other'))).rejects.toThrow(LockHeldError);
    await lock.release();
  });
});

describe('the retrain lock taken at the same moment by several processes', () => {
  let scratch: Awaited<ReturnType<typeof temporaryDir>>;
  beforeAll(async () => {
    scratch = await temporaryDir('lock-race');
  });
  afterAll(() => scratch.remove());

  // A directory registry creates with link(2), which fails when the name exists: the file-system counterpart of
  // S3's If-None-Match: * (s3rver ignores conditional headers, so the race is run here).
  it('goes to exactly one of them', async () => {
    for (let round = 0; round < 10; round++) {
      const root = join(scratch.dir, `r${round}`);
      const attempts = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => acquireLock(new LocalStore(root), MODEL, holder(`run-${i}`))),
      );
      const won = attempts.filter((attempt) => attempt.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const attempt of attempts) {
        if (attempt.status === 'rejected') expect(attempt.reason).toBeInstanceOf(LockHeldError);
      }
    }
  });
});
