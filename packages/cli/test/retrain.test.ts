import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabelledRow } from '@glyco/prediction-log';
import { listModels, openRegistry, promote, publish, readManifest } from '@glyco/registry';
import { seededRandom } from '@glyco/trainer/random';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabelledSource } from '../src/retrain/labelled-source.ts';
import { type RetrainSettings, retrain } from '../src/retrain/retrain.ts';
import { MODEL, pressureDecides, ROOT, retrainDefaults, sample, shifted } from './support/retrain-world.ts';

/**
 * retrain in this process, against the bundled pima-diabetes 1.0.0 (a schema-version-1 manifest: no recorded
 * training options) and labelled rows handed over by a stand-in source: the shifted rows of the end-to-end test.
 */
const start = Date.parse('2026-12-01T00:00:00Z');
const random = seededRandom(3);
const rows: LabelledRow[] = shifted(sample(5)).map((inputs, i) => ({
  id: `019ad5c0-0000-7000-8000-${String(i).padStart(12, '0')}`,
  predictedAt: new Date(start + i * 1000),
  modelVersion: '1.0.0',
  inputs,
  outcome: { classIndex: pressureDecides(inputs, {}, random), label: null },
}));
const source: LabelledSource = {
  name: 'test',
  labelledRows: async () => rows,
  drift: async () => ({ rows: { analysed: rows.length }, drifted: [] }) as never,
};

let scratch: string;
let registry: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'glyco-retrain-'));
  registry = join(scratch, 'registry');
  const store = openRegistry(registry);
  await publish(store, join(ROOT, 'models/pima-diabetes/1.0.0'), {
    data: join(ROOT, 'data/pima-indians-diabetes.csv'),
  });
  await promote(store, { name: MODEL, version: '1.0.0', alias: 'production', actor: 'test' });
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

async function run(patch: Partial<RetrainSettings>) {
  const lines: string[] = [];
  const workDir = await mkdtemp(join(scratch, 'work-'));
  const result = await retrain(
    retrainDefaults(registry, source, workDir, { report: (line) => lines.push(line), ...patch }),
  );
  return { ...result, lines };
}

describe('glyco retrain', () => {
  it('with --dry-run, judges the challenger, tries the gates on a scratch copy, and publishes and promotes nothing', {
    timeout: 120_000,
  }, async () => {
    const { record, lines } = await run({ dryRun: true });
    // The challenger wins on the recent rows, though its CV ROC AUC (on base and logged rows, a harder mix) is
    // below the champion's (on the base rows alone): the gate judges it on the evaluation, where both models
    // met the same rows, and keeps the CV as a floor 10% below the champion's. (Before, the gate compared the two
    // CVs and refused it.)
    expect(record, record.reason).toMatchObject({
      decision: 'would-promote',
      version: { version: '1.1.0', published: false },
    });
    expect(record.reason).toMatch(/^dry run: the challenger is better: ROC AUC on the evaluation rows: /);
    expect(record.metrics.evaluation!.improvement.low).toBeGreaterThan(0);
    expect(record.metrics.crossValidation!.mean).toBeLessThan(0.8419);
    expect(record.metrics.crossValidation!.mean).toBeGreaterThan(0.8419 * 0.9);
    // A version-1 manifest records no training options: the retrain says what it assumes.
    expect(lines[0]).toMatch(
      /^pima-diabetes 1\.0\.0 predates recorded training options \(manifest schema version 1\): assuming .*algorithm logreg, 5 folds, seed 42/,
    );
    expect(record.parameters).toMatchObject({
      algorithm: 'logreg',
      folds: 5,
      seed: 42,
      dryRun: true,
      minImprovement: 0.01,
      cvTolerance: 0.1,
    });

    const store = openRegistry(registry);
    await expect(readManifest(store, MODEL, '1.1.0')).rejects.toThrow(/not in the registry/);
    const [model] = await listModels(store);
    expect(model!.versions.map((entry) => entry.version)).toEqual(['1.0.0']);
    expect(model!.aliases[0]!.record!.version).toBe('1.0.0');
  });

  it("is refused by the gate when the challenger wins but its CV falls further below the champion's than --cv-tolerance", {
    timeout: 120_000,
  }, async () => {
    const { record } = await run({ dryRun: true, cvTolerance: 0.01 });
    expect(record.decision).toBe('not-promoted');
    expect(record.reason).toMatch(
      /^dry run: the challenger is better: ROC AUC .*; but the registry's gates would refuse it: refusing to promote pima-diabetes 1\.1\.0 to production: CV ROC AUC 0\.\d+ is below 0\.8334, 1% short of production's 1\.0\.0 \(0\.8419\)/,
    );
  });

  it('is skipped, not failed, with fewer labelled rows than --min-rows, and says so', async () => {
    const { record } = await run({ minRows: 5000 });
    expect(record).toMatchObject({
      decision: 'skipped',
      reason: '1000 labelled rows, fewer than the 5000 a retrain needs (--min-rows)',
    });
    expect(record.version).toBeUndefined();
  });

  it('with --when drifted, is skipped when no feature drifted', async () => {
    const { record } = await run({ when: 'drifted' });
    expect(record.decision).toBe('skipped');
    expect(record.reason).toMatch(
      /^no feature of pima-diabetes 1\.0\.0 drifted over the last 7d \(1000 predictions\)/,
    );
  });

  it('fails before training when --min-auc is asked of a regression model, which no ROC AUC judges', async () => {
    const regression = join(scratch, 'regression-registry');
    const store = openRegistry(regression);
    await publish(store, join(ROOT, 'models/diabetes-progression/1.0.0'));
    await promote(store, {
      name: 'diabetes-progression',
      version: '1.0.0',
      alias: 'production',
      actor: 'test',
    });
    const { record } = await run({ registry: regression, name: 'diabetes-progression', minAuc: 0.8 });
    expect(record).toMatchObject({
      decision: 'failed',
      reason: '--min-auc gates ROC AUC, but diabetes-progression 1.0.0 is a regression model, judged on RMSE',
    });
    expect(record.durations.train).toBeUndefined();
  });
});
