import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openRegistry, promote, publish, readRun } from '@glyco/registry';
import { seededRandom } from '@glyco/trainer/random';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryDir } from '../../registry/test/support.ts';
import { EXIT_CODES } from '../src/commands/retrain.ts';
import { logPimaPredictions } from './support/logged-rows.ts';
import {
  dataRows,
  glyco,
  MODEL,
  type Outcome,
  PIMA,
  pressureDecides,
  ROOT,
  sample,
  shifted,
} from './support/retrain-world.ts';

/**
 * `glyco job` as the scheduled task runs it, in a child process: a directory registry whose `production` alias
 * serves the bundled pima-diabetes 1.1.0 (published with its training data), and the embedded prediction log
 * of the working directory, filled with logged predictions (and, where a retrain must learn, their outcomes).
 */
interface JobWorld {
  cwd: string;
  registry: string;
  job(args: string[]): Promise<Outcome>;
}

const worlds: { remove(): Promise<void> }[] = [];
afterAll(async () => {
  for (const world of worlds) await world.remove();
});

async function jobWorld(
  rows: Record<string, number>[],
  outcomeOf?: (row: Record<string, number>, random: () => number) => 0 | 1,
): Promise<JobWorld> {
  const scratch = await temporaryDir('glyco-job');
  worlds.push(scratch);
  const registry = join(scratch.dir, 'registry');
  const store = openRegistry(registry);
  await publish(store, join(ROOT, 'models/pima-diabetes/1.1.0'), {
    data: join(ROOT, 'data/pima-indians-diabetes.csv'),
  });
  await promote(store, { name: MODEL, version: '1.1.0', alias: 'production', actor: 'test' });

  const random = seededRandom(11);
  await logPimaPredictions(
    {
      database: {},
      dataDir: join(scratch.dir, '.glyco/predictions'),
      spoolDir: join(scratch.dir, '.glyco/spool'),
    },
    rows,
    outcomeOf && ((row) => outcomeOf(row, random)),
  );
  return {
    cwd: scratch.dir,
    registry,
    job: (args) => glyco(['job', MODEL, '--registry', registry, ...args], { DATABASE_URL: '' }, scratch.dir),
  };
}

/** The last line on stdout, which a scheduler parses. */
function lastJson(outcome: Outcome) {
  const lines = outcome.stdout.trimEnd().split('\n');
  return JSON.parse(lines.at(-1)!);
}

async function jobRecord(registry: string, id: string) {
  const entry = await readRun(openRegistry(registry), MODEL, id);
  expect(entry.problem).toBeUndefined();
  return entry.record!;
}

describe('glyco job on predictions of the training data itself (no drift)', () => {
  let world: JobWorld;
  beforeAll(async () => {
    world = await jobWorld(dataRows(PIMA).map((row) => row.features));
  }, 60_000);

  it('with --retrain on-drift, reports no drift, starts no retrain, exits 0, and records the job', async () => {
    const outcome = await world.job(['--retrain', 'on-drift', '--json']);
    expect(outcome.code, outcome.stderr).toBe(0);
    const result = lastJson(outcome);
    expect(result).toMatchObject({ retrain: null, exitCode: 0 });
    expect(result.drift.model).toEqual({ name: MODEL, version: '1.1.0' });
    expect(result.drift.rows.analysed).toBe(768);
    expect(result.drift.drifted).toEqual([]);
    expect(outcome.stderr).toContain('job: no drift over the last 7d (768 predictions)');

    const record = await jobRecord(world.registry, result.run.id);
    expect(record).toMatchObject({
      kind: 'job',
      decision: 'skipped',
      champion: { version: '1.1.0', alias: 'production' },
      drift: { window: '7d', rows: 768, drifted: [] },
      parameters: { retrain: 'on-drift', alias: 'production', since: '7d' },
    });
    expect(record.reason).toMatch(/nothing to retrain for \(--retrain on-drift\)$/);
    expect(record.retrainRun).toBeUndefined();
    expect(result.run.uri).toBe(`${openRegistry(world.registry).uri}/${MODEL}/runs/${record.id}.json`);
  }, 60_000);

  it('with --retrain always, retrains anyway: without labelled rows the retrain skips, and the job exits as it does (4)', async () => {
    const outcome = await world.job(['--retrain', 'always', '--json']);
    const result = lastJson(outcome);
    expect(result.retrain.run).toMatchObject({ kind: 'retrain', decision: 'skipped' });
    expect(result.retrain.run.reason).toMatch(/^0 labelled rows, fewer than the 200/);
    expect(outcome.code).toBe(EXIT_CODES.skipped);
    expect(result.exitCode).toBe(EXIT_CODES.skipped);
    const record = await jobRecord(world.registry, result.run.id);
    expect(record).toMatchObject({ kind: 'job', decision: 'skipped', retrainRun: result.retrain.run.id });
    // The retrain's own run is in the registry too, where the job says.
    expect((await jobRecord(world.registry, result.retrain.run.id)).kind).toBe('retrain');
  }, 60_000);

  it('prints the drift table and where the job is recorded without --json', async () => {
    const outcome = await world.job(['--retrain', 'never']);
    expect(outcome.code).toBe(0);
    const lines = outcome.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^pima-diabetes 1\.1\.0: 768 logged predictions since /);
    expect(lines).toContain('retrain: none');
    expect(lines.at(-1)).toMatch(/^job run \d{8}T\d{9}Z-[0-9a-f]{6}: /);
  }, 60_000);
});

describe('glyco job on predictions from an older population whose outcomes now follow blood pressure', () => {
  let world: JobWorld;
  beforeAll(async () => {
    world = await jobWorld(shifted(sample(5)), (row, random) => pressureDecides(row, {}, random));
  }, 60_000);

  it('with --retrain never and --fail-on-drift, reports the drift, retrains nothing, and exits 3', async () => {
    const outcome = await world.job(['--retrain', 'never', '--fail-on-drift', '--json']);
    const result = lastJson(outcome);
    expect(result.drift.drifted).toContain('age');
    expect(result.retrain).toBeNull();
    expect(outcome.code).toBe(3);
    expect(result.exitCode).toBe(3);
    const record = await jobRecord(world.registry, result.run.id);
    expect(record.reason).toMatch(/^drift in .*age.*: no retrain \(--retrain never\)$/);
  }, 60_000);

  it('with --retrain on-drift, retrains (a dry run here): the retrain judges a challenger, and nothing moves', async () => {
    const outcome = await world.job(['--json', '--', '--dry-run', '--resamples', '200']);
    const result = lastJson(outcome);
    expect(result.drift.drifted).toContain('age');
    const retrainRun = result.retrain.run;
    expect(retrainRun).toMatchObject({
      kind: 'retrain',
      champion: { version: '1.1.0', alias: 'production' },
      parameters: { dryRun: true, resamples: 200, driftWindow: '7d' },
      version: { version: '1.2.0', published: false },
    });
    expect(['would-promote', 'not-promoted']).toContain(retrainRun.decision);
    expect(retrainRun.metrics.evaluation.rows).toBeGreaterThan(0);
    expect(outcome.code).toBe(EXIT_CODES[retrainRun.decision as keyof typeof EXIT_CODES]);
    expect(result.exitCode).toBe(outcome.code);

    const record = await jobRecord(world.registry, result.run.id);
    expect(record).toMatchObject({ kind: 'job', decision: retrainRun.decision, retrainRun: retrainRun.id });
    expect(existsSync(join(world.registry, MODEL, '1.2.0'))).toBe(false);
    const alias = await openRegistry(world.registry).read(`${MODEL}/aliases/production.json`);
    expect(JSON.parse(new TextDecoder().decode(alias!.body)).version).toBe('1.1.0');
  }, 180_000);
});

describe('glyco job refusing what it cannot do', () => {
  let world: JobWorld;
  beforeAll(async () => {
    world = await jobWorld(sample(9).slice(0, 50));
  }, 60_000);

  it.each([
    [
      ['--retrain', 'sometimes'],
      /^glyco: job: --retrain must be never, on-drift, always; got "sometimes"\n$/,
    ],
    [['--since', 'last week'], /^glyco: job: --since "last week" is not a time/],
    [['--', '--alias', 'staging'], /^glyco: job: --alias after -- is the job's to set/],
    [['--retrians', 'always'], /^glyco: Unknown option '--retrians'/],
  ])('refuses %j with one line and exit 2, before reading anything', async (args, message) => {
    const outcome = await world.job(args);
    expect(outcome.stderr).toMatch(message);
    expect(outcome.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(outcome.stdout).toBe('');
    expect(outcome.code).toBe(2);
  });

  it('refuses a job without a registry or a model name', async () => {
    const noRegistry = await glyco(['job', MODEL], { DATABASE_URL: '', GLYCO_REGISTRY: '' }, world.cwd);
    expect(noRegistry.stderr).toBe('glyco: job: no registry: pass --registry <uri> or set GLYCO_REGISTRY\n');
    expect(noRegistry.code).toBe(2);
    const noName = await glyco(['job', '--registry', world.registry], { DATABASE_URL: '' }, world.cwd);
    expect(noName.stderr).toBe('glyco: job: expected <name>; see glyco job --help\n');
    expect(noName.code).toBe(2);
  });

  it('fails with exit 1 and a JSON line that says why when the alias does not exist, and records the failure', async () => {
    const outcome = await world.job(['--alias', 'canary', '--json']);
    expect(outcome.code).toBe(1);
    const result = lastJson(outcome);
    expect(result).toMatchObject({ drift: null, retrain: null, exitCode: 1 });
    expect(result.error).toMatch(/pima-diabetes has no alias "canary"/);
    expect(outcome.stderr).toContain(`glyco: job: ${result.error}`);
    expect(await jobRecord(world.registry, result.run.id)).toMatchObject({ kind: 'job', decision: 'failed' });
  });

  it("fails with exit 1 when the log cannot be read, with the drift command's message", async () => {
    const outcome = await glyco(
      ['job', MODEL, '--registry', world.registry, '--json'],
      { DATABASE_URL: 'postgres://glyco@127.0.0.1:9/none' },
      world.cwd,
    );
    expect(outcome.code).toBe(1);
    expect(lastJson(outcome).error).toMatch(
      /^job: cannot open the prediction log|^job: the prediction log failed/,
    );
  }, 60_000);
});
