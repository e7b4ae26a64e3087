/**
 * API keys read again without a restart: a key added to the file is accepted, a key removed from it refused, and
 * a file that cannot be read or parsed leaves the keys read before in force; on the node server and through the
 * Lambda handler (one warm execution environment, invoked again after the interval) alike.
 */
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ApiKeyEntry, createApiKey } from '@glyco/contract';
import { createLogger } from '@glyco/logger';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiKeySet, type KeyReloadOptions, type KeyReloadOutcome } from '../../src/auth/api-key-set.ts';
import { predictStatuses, startTargets, type Targets } from '../support/targets.ts';

const clinicA = createApiKey('clinic-a', ['predict']);
const clinicB = createApiKey('clinic-b', ['predict']);
const monitor = createApiKey('grafana', ['read-metrics']);
const document = (...keys: { entry: ApiKeyEntry }[]) => JSON.stringify({ keys: keys.map((k) => k.entry) });

describe('API keys reloaded from their file, on both targets', () => {
  const directory = mkdtempSync(join(tmpdir(), 'glyco-key-reload-'));
  const file = join(directory, 'keys.json');
  /** As an editor or `glyco keys create --file` saves it: a new file renamed over the old one. */
  const save = (text: string) => {
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  };
  const RELOAD_SECONDS = 1;
  /** Longer than the interval: the next request finds the keys due and reads them again. */
  const pastTheInterval = () => sleep(RELOAD_SECONDS * 1000 + 100);
  let targets: Targets;

  beforeAll(async () => {
    writeFileSync(file, document(clinicA, monitor));
    targets = await startTargets(
      {
        DATABASE_URL: 'off',
        LOG_LEVEL: 'silent',
        API_KEYS_FILE: file,
        API_KEYS_RELOAD_SECONDS: String(RELOAD_SECONDS),
      },
      ['content-type'],
    );
  });
  afterAll(() => targets.shutdown());

  const reloads = async () => {
    const metrics = await targets.overHttp({
      method: 'GET',
      path: '/metrics',
      headers: { 'x-api-key': monitor.key },
    });
    return Object.fromEntries(
      [...metrics.body.matchAll(/^glyco_api_keys_reloads_total\{outcome="(\w+)"\} (\d+)$/gm)].map(
        ([, outcome, count]) => [outcome, Number(count)],
      ),
    );
  };

  it('accepts a key added, refuses a key removed, and keeps the last good keys while the file is broken', async () => {
    expect(await predictStatuses(targets, clinicA.key)).toEqual([200, 200]);
    expect(await predictStatuses(targets, clinicB.key)).toEqual([401, 401]);

    save(document(clinicA, clinicB, monitor));
    await pastTheInterval();
    expect(await predictStatuses(targets, clinicB.key)).toEqual([200, 200]);

    save(document(clinicB, monitor)); // clinic-a revoked
    await pastTheInterval();
    expect(await predictStatuses(targets, clinicA.key)).toEqual([401, 401]);
    expect(await predictStatuses(targets, clinicB.key)).toEqual([200, 200]);
    const beforeBreaking = await reloads();

    save('{"keys": [');
    await pastTheInterval();
    expect(await predictStatuses(targets, clinicB.key)).toEqual([200, 200]);
    expect(await predictStatuses(targets, clinicA.key)).toEqual([401, 401]);
    expect((await reloads()).failed).toBe(beforeBreaking.failed! + 1);

    save(document(clinicA, monitor)); // mended: clinic-a back, clinic-b revoked
    await pastTheInterval();
    expect(await predictStatuses(targets, clinicA.key)).toEqual([200, 200]);
    expect(await predictStatuses(targets, clinicB.key)).toEqual([401, 401]);
    expect((await reloads()).applied).toBeGreaterThanOrEqual(beforeBreaking.applied! + 1);
  });
});

describe('ApiKeySet', () => {
  const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:glyco-api-keys-1a2B3c';
  const INTERVAL_MS = 60_000;
  afterEach(() => vi.useRealTimers());

  /**
   * Keys loaded from a secret whose value the test sets, or makes unreadable, and which counts its reads; the
   * clock is the test's, moved with `vi.advanceTimersByTime`.
   */
  async function keysFromSecret(options: Omit<KeyReloadOptions, 'readSecret'> = { reloadMs: INTERVAL_MS }) {
    vi.useFakeTimers({ toFake: ['Date'] });
    const secret = { value: document(clinicA), failure: undefined as string | undefined, reads: 0 };
    const readSecret = async () => {
      secret.reads++;
      await sleep(5);
      if (secret.failure) throw new Error(secret.failure);
      return secret.value;
    };
    const keys = await ApiKeySet.load({ from: 'secret', secretArn: ARN }, { ...options, readSecret });
    return { keys, secret };
  }
  const logged = () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      level: 'info',
      write: (chunk) => {
        for (const line of chunk.split('\n')) if (line) lines.push(JSON.parse(line));
      },
    });
    return { lines, logger };
  };

  it('reads the secret again only once the interval has passed, and then before the request is answered', async () => {
    const { keys, secret } = await keysFromSecret();
    secret.value = document(clinicB);
    vi.advanceTimersByTime(INTERVAL_MS - 1);
    expect(await keys.find(clinicA.key)).toEqual(clinicA.entry);
    expect(secret.reads).toBe(1);
    vi.advanceTimersByTime(1);
    expect(await keys.find(clinicA.key)).toBeUndefined();
    expect(await keys.find(clinicB.key)).toEqual(clinicB.entry);
    expect(secret.reads).toBe(2);
  });

  it('lets the requests that arrive during a reload wait for that one reload', async () => {
    const { keys, secret } = await keysFromSecret();
    secret.value = document(clinicB);
    vi.advanceTimersByTime(INTERVAL_MS);
    const found = await Promise.all(Array.from({ length: 20 }, () => keys.find(clinicB.key)));
    expect(found.every((entry) => entry?.name === 'clinic-b')).toBe(true);
    expect(secret.reads).toBe(2);
  });

  it('keeps the last good keys when a reload fails, warns once per run of failures, and counts each', async () => {
    const { lines, logger } = logged();
    const outcomes: KeyReloadOutcome[] = [];
    const { keys, secret } = await keysFromSecret({
      reloadMs: INTERVAL_MS,
      logger,
      onReload: (outcome) => outcomes.push(outcome),
    });
    const later = async () => {
      vi.advanceTimersByTime(INTERVAL_MS);
      return keys.find(clinicA.key);
    };
    secret.failure = 'AccessDeniedException: not authorized to perform secretsmanager:GetSecretValue';
    expect(await later()).toEqual(clinicA.entry);
    expect(await later()).toEqual(clinicA.entry);
    secret.failure = undefined;
    secret.value = '{"keys": "not a list"}';
    expect(await later()).toEqual(clinicA.entry);
    secret.value = document(clinicA);
    expect(await later()).toEqual(clinicA.entry);
    secret.value = document(clinicB);
    expect(await later()).toBeUndefined();
    expect(outcomes).toEqual(['failed', 'failed', 'failed', 'unchanged', 'applied']);
    logger.flush();
    expect(lines.map(({ level, msg }) => [level, msg])).toEqual([
      ['warn', 'API keys not reloaded: the keys read before stay in force'],
      ['info', 'API keys read again after failures'],
      ['info', 'API keys reloaded'],
    ]);
    expect(lines[0]).toMatchObject({ error: expect.stringContaining('AccessDeniedException'), keys: 1 });
    expect(lines[2]).toMatchObject({ keys: 1, added: ['clinic-b'], removed: ['clinic-a'] });
    // The document may be a secret's: no line repeats it.
    expect(JSON.stringify(lines)).not.toContain('not a list');
  });

  it('never reads again with an interval of 0, nor keys given in API_KEYS itself', async () => {
    const { keys: never, secret } = await keysFromSecret({ reloadMs: 0 });
    vi.advanceTimersByTime(INTERVAL_MS * 1000);
    await never.find(clinicA.key);
    expect(secret.reads).toBe(1);
    const inline = await ApiKeySet.load({ from: 'env', text: document(clinicA) }, { reloadMs: 1 });
    vi.advanceTimersByTime(INTERVAL_MS);
    expect(await inline.find(clinicA.key)).toEqual(clinicA.entry);
  });
});
