import { postgres } from '@glyco/prediction-log/testing';
import { listRuns, readDataset, readManifest } from '@glyco/registry';
import { afterEach, describe, expect, it } from 'vitest';
import {
  championIsRight,
  glyco,
  MODEL,
  predictAndReport,
  pressureDecides,
  retrainArgs,
  sample,
  servedVersion,
  shifted,
  startWorld,
  steadyLoad,
  type World,
  type WorldKind,
} from './support/retrain-world.ts';

/**
 * The loop end to end, as it runs on a machine: the node server follows `production` and logs predictions; clients
 * send predictions and report outcomes; `glyco retrain` (a process of its own) reads the labelled rows, trains a
 * challenger, judges it against the champion on the most recent rows, and promotes it only when it wins; the
 * server swaps to it while clients keep sending. Once with a directory registry and the embedded log, which the
 * server holds (so retrain reads through the server's outcomes export), once with s3rver and PostgreSQL (read
 * directly, as the job in AWS reads RDS).
 */

const SEED = 11;
const worlds: WorldKind[] = ['file registry, embedded log', 's3 registry, postgres log'];

describe.each(worlds)('glyco retrain end to end: %s', (kind) => {
  if (kind === 's3 registry, postgres log' && postgres.unavailable) {
    it.skip(`needs PostgreSQL: ${postgres.unavailable}`, () => {});
    return;
  }
  let world: World | undefined;
  afterEach(async () => {
    await world?.stop();
    world = undefined;
  });

  it('promotes a challenger that wins on the shifted recent rows, and the server swaps to it with no failed request', {
    timeout: 180_000,
  }, async () => {
    world = await startWorld(kind);
    await predictAndReport(world.base, shifted(sample(SEED)), pressureDecides, SEED);
    const load = steadyLoad(world.base, sample(SEED + 1)[0]!);

    const result = await glyco(retrainArgs(world, MODEL), world.env, world.cwd);
    expect(result.stderr).toContain('retrain: training pima-diabetes 1.2.0');
    expect(result.code, result.stdout).toBe(0);
    const { run, uri } = JSON.parse(result.stdout);
    expect(run).toMatchObject({
      kind: 'retrain',
      decision: 'promoted',
      champion: { version: '1.1.0', alias: 'production' },
      version: { version: '1.2.0', published: true },
    });
    expect(run.reason).toMatch(/^the challenger is better: ROC AUC on the evaluation rows: challenger /);
    expect(run.metrics.evaluation).toMatchObject({ rows: 300, metric: 'rocAuc', minImprovement: 0.01 });
    expect(run.metrics.evaluation.improvement.low).toBeGreaterThan(0.05);
    expect(run.data.map((entry: { role: string; rows: number }) => [entry.role, entry.rows])).toEqual([
      ['base', 768],
      ['logged', 700],
      ['evaluation', 300],
      ['training', 1468],
    ]);
    expect(uri).toMatch(new RegExp(`/pima-diabetes/runs/${run.id}\\.json$`));

    // The server follows the alias: it swaps to 1.2.0 while the clients keep sending, and none of them fails.
    const deadline = Date.now() + 20_000;
    while ((await servedVersion(world.base)) !== '1.2.0') {
      if (Date.now() > deadline) throw new Error('the server did not swap to 1.2.0');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    const counts = await load.stop();
    expect(counts.failed).toBe(0);
    expect([...counts.versions].sort()).toEqual(['1.1.0', '1.2.0']);

    // The model card of the server lists the run that promoted what it serves now.
    const card = (await (await fetch(`${world.base}/models/${MODEL}`)).text()).replace(/\s+/g, ' ');
    expect(card).toContain('<td>retrain</td><td>promoted</td><td>1.2.0 ← 1.1.0</td>');

    const registry = world.store;
    const manifest = await readManifest(registry, MODEL, '1.2.0');
    expect(manifest.lineage).toMatchObject({
      runId: run.id,
      parent: { version: '1.1.0', alias: 'production' },
    });
    expect(manifest.trainingData.rows).toBe(1468);
    expect((await readDataset(registry, MODEL, manifest.trainingData.sha256)).byteLength).toBeGreaterThan(0);
    const [recorded] = await listRuns(registry, MODEL);
    expect(recorded!.record).toEqual(run);
  });

  it('keeps the champion when the challenger is no better, and the run says why', {
    timeout: 180_000,
  }, async () => {
    world = await startWorld(kind);
    await predictAndReport(world.base, sample(SEED), championIsRight, SEED);

    const result = await glyco(retrainArgs(world, MODEL), world.env, world.cwd);
    expect(result.code, result.stdout).toBe(3);
    const { run } = JSON.parse(result.stdout);
    expect(run).toMatchObject({ decision: 'not-promoted', version: { version: '1.2.0', published: false } });
    expect(run.reason).toMatch(/^the (challenger is not better by 0\.01|improvement could be noise)/);

    const registry = world.store;
    await expect(readManifest(registry, MODEL, '1.2.0')).rejects.toThrow(/not in the registry/);
    expect(await servedVersion(world.base)).toBe('1.1.0');
    const [recorded] = await listRuns(registry, MODEL);
    expect(recorded!.record?.reason).toBe(run.reason);
  });
});
