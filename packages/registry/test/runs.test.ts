import { describe, expect, it } from 'vitest';
import { listModels, listRuns, newRunId, publish, type RunRecord, readRun, writeRun } from '../src/index.ts';
import { registryBackends, registryPerTest, temporaryDir, writeModelDir } from './support.ts';

const MODEL = 'pima-diabetes';

function run(id: string, patch: Partial<RunRecord> = {}): RunRecord {
  return {
    schemaVersion: 1,
    id,
    kind: 'retrain',
    model: MODEL,
    startedAt: '2026-12-05T06:15:02.123Z',
    finishedAt: '2026-12-05T06:15:09.000Z',
    durationMs: 6877,
    decision: 'not-promoted',
    reason: 'the challenger is not better by 0.01',
    parameters: { alias: 'production', holdout: 0.3, seed: 42 },
    data: [{ role: 'evaluation', sha256: 'a'.repeat(64), rows: 300 }],
    metrics: {},
    durations: { train: 4000 },
    by: 'alice@ci',
    where: { host: 'ci', trigger: 'manual' },
    ...patch,
  };
}

describe('run ids', () => {
  it('sort as text in the order the runs started', () => {
    const ids = ['2026-12-05T06:15:02.123Z', '2026-12-05T06:15:02.124Z', '2027-01-01T00:00:00.000Z'].map(
      (time) => newRunId(new Date(time)),
    );
    expect(ids[0]).toMatch(/^20261205T061502123Z-[0-9a-f]{6}$/);
    expect([...ids].reverse().sort()).toEqual(ids);
  });
});

describe.each(Object.keys(registryBackends))('run records in a registry at %s', (kind) => {
  const registry = registryPerTest(kind);

  it('are written once under runs/ and listed newest first, the limit newest when asked', async () => {
    const older = run('20261205T061502123Z-aaaaaa');
    const newer = run('20261206T061502123Z-bbbbbb', { decision: 'promoted' });
    const uri = await writeRun(registry.store, older);
    await writeRun(registry.store, newer);
    expect(uri).toBe(`${registry.store.uri}/${MODEL}/runs/${older.id}.json`);

    expect((await listRuns(registry.store, MODEL)).map((entry) => entry.record?.id)).toEqual([
      newer.id,
      older.id,
    ]);
    expect((await listRuns(registry.store, MODEL, 1)).map((entry) => entry.id)).toEqual([newer.id]);
    expect((await readRun(registry.store, MODEL, older.id)).record).toEqual(older);
    await expect(writeRun(registry.store, { ...older, reason: 'again' })).rejects.toThrow(/already recorded/);
  });

  it('report a record that is not one instead of failing the listing', async () => {
    await writeRun(registry.store, run('20261205T061502123Z-aaaaaa'));
    await registry.store.write(
      `${MODEL}/runs/20261207T000000000Z-cccccc.json`,
      new TextEncoder().encode('{"id": 1}'),
      {
        contentType: 'application/json',
      },
    );
    const [broken, good] = await listRuns(registry.store, MODEL);
    expect(broken).toMatchObject({ id: '20261207T000000000Z-cccccc', problem: /not a valid run record/ });
    expect(good!.record?.decision).toBe('not-promoted');
  });

  it('refuses a record that breaks the contract before writing it', async () => {
    const bad = { ...run('20261205T061502123Z-aaaaaa'), decision: 'maybe' } as unknown as RunRecord;
    await expect(writeRun(registry.store, bad)).rejects.toThrow(/decision/);
    expect(await listRuns(registry.store, MODEL)).toEqual([]);
  });

  it('are not mistaken for versions of the model', async () => {
    const scratch = await temporaryDir('runs-artifacts');
    try {
      await publish(registry.store, await writeModelDir(scratch.dir, { version: '1.0.0', cvAuc: 0.84 }));
      await writeRun(registry.store, run('20261205T061502123Z-aaaaaa'));
      const [model] = await listModels(registry.store);
      expect(model!.versions.map((entry) => entry.version)).toEqual(['1.0.0']);
    } finally {
      await scratch.remove();
    }
  });
});
