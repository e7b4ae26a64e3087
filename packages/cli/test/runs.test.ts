import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256Hex } from '@glyco/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'packages/cli/src/main.ts');
const PIMA = join(ROOT, 'data/pima-indians-diabetes.csv');
const work = mkdtempSync(join(tmpdir(), 'glyco-cli-runs-'));
const out = join(work, 'models');

function glyco(...args: string[]) {
  const result = spawnSync(process.execPath, [MAIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, GITHUB_ACTOR: '', GLYCO_RUN_TRIGGER: '' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const train = (version: string, seed: string) =>
  glyco(
    'train',
    ...['--data', PIMA, '--target', 'diabetes', '--name', 'pima-diabetes', '--out', out],
    ...['--version', version, '--seed', seed, '--algorithm', 'logreg'],
  );

/** The run id in the record's path, which glyco train prints on its summary's last line. */
const runId = (stdout: string) => /^run {2,}\S+\/runs\/(\S+)\.json$/m.exec(stdout)?.[1];

// A test spawns up to two glyco processes, each bounded by spawnSync's 60 s above: one costs about 0.6 s of CPU,
// but 3 s of wall time at load 12 on this 2-core machine, so vitest's 5 s default failed two tests under load.
describe('glyco train records runs that glyco runs lists and compares', { timeout: 120_000 }, () => {
  let first: string;
  let second: string;
  beforeAll(() => {
    const a = train('1.0.0', '42');
    const b = train('1.0.1', '7');
    expect([a.status, b.status], a.stderr + b.stderr).toEqual([0, 0]);
    first = runId(a.stdout)!;
    second = runId(b.stdout)!;
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('keeps the training data once by its sha256 in the local registry it writes, where publish finds it', () => {
    const sha256 = sha256Hex(readFileSync(PIMA));
    expect(existsSync(join(out, 'pima-diabetes', 'datasets', `${sha256}.csv`))).toBe(true);
    expect(existsSync(join(out, 'pima-diabetes', 'runs', `${first}.json`))).toBe(true);
  });

  it('lists the runs newest first with their decision, version, CV metric and who ran them', () => {
    const { status, stdout } = glyco('runs', 'pima-diabetes', '--registry', out);
    expect(status).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^RUN +KIND +STARTED +TOOK +DECISION +VERSION +CV METRIC +EVALUATION +BY +REASON$/,
    );
    expect(lines.slice(1).map((line) => line.split(/ {2,}/)[0])).toEqual([second, first]);
    expect(lines[2]).toMatch(
      / train +\S+ \S+ +\d+\.\d s +trained +1\.0\.0 +ROC AUC 0\.8\d\d ± 0\.0\d\d +- +\S+@\S+ +trained/,
    );

    const json = JSON.parse(
      glyco('runs', 'pima-diabetes', '--registry', out, '--limit', '1', '--json').stdout,
    );
    expect(json).toHaveLength(1);
    expect(json[0].record).toMatchObject({
      id: second,
      kind: 'train',
      decision: 'trained',
      parameters: { seed: 7, algorithm: 'logreg', folds: 5 },
      data: [{ role: 'training', rows: 768, sha256: sha256Hex(readFileSync(PIMA)) }],
      version: { version: '1.0.1', published: false },
      where: { trigger: 'manual' },
    });
  });

  it('compares runs side by side, marking what differs', () => {
    const { status, stdout } = glyco('runs', 'pima-diabetes', first, second, '--registry', out);
    expect(status).toBe(0);
    expect(stdout).toMatch(new RegExp(`^ +${first} +${second}$`, 'm'));
    expect(stdout).toMatch(/^\* seed +42 +7$/m);
    expect(stdout).toMatch(/^ {2}algorithm +logreg +logreg$/m);
    expect(stdout).toMatch(/^\* version +1\.0\.0 +1\.0\.1$/m);
  });

  it('names a run that is not there, or not a run id, in one line, and exits 1', () => {
    const absent = '20200101T000000000Z-000000';
    for (const [id, problem] of [
      [absent, `runs: run ${absent} of pima-diabetes: not in the registry`],
      ['no-such-run', 'runs: invalid run id "no-such-run"'],
    ]) {
      const { status, stdout, stderr } = glyco('runs', 'pima-diabetes', first, id!, '--registry', out);
      expect(status).toBe(1);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toContain(problem);
    }
  });
});
