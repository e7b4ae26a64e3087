import { type SpawnSyncReturns, spawn } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { postgres, type TestDatabase } from '@glyco/prediction-log/testing';
import { openRegistry, promote, publish, readRun } from '@glyco/registry';
import { PropertyInstruction } from 'dockerfile-ast';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logPimaPredictions } from '../../cli/test/support/logged-rows.ts';
import { type AppPackage, JOBS_APP, packageApp } from '../src/image/app-package.ts';
import { megabytes } from '../src/image/dir-size.ts';
import { stage, stageUser } from '../src/image/dockerfile-stages.ts';
import { workspaceRoot } from '../src/paths.ts';
import { fargateBindMount, nodeForAnyUser, userIds } from './support/image-user.ts';

const SIZE_BUDGET_BYTES = 150_000_000;
const MODEL = 'pima-diabetes';
const PIMA = join(workspaceRoot, 'data/pima-indians-diabetes.csv');
const dockerfile = readFileSync(join(workspaceRoot, 'Dockerfile'), 'utf8');
const jobsStage = stage(dockerfile, 'jobs');

/** The jobs stage's instruction arguments: ENTRYPOINT as its exec-form list, WORKDIR, and ENV as name → value. */
function imageConfig() {
  const last = (keyword: string) =>
    jobsStage.instructions.filter((instruction) => instruction.getKeyword() === keyword).at(-1);
  const env: Record<string, string> = {};
  for (const instruction of jobsStage.instructions) {
    if (instruction.getKeyword() !== 'ENV' || !(instruction instanceof PropertyInstruction)) continue;
    for (const property of instruction.getProperties()) env[property.getName()] = property.getValue() ?? '';
  }
  return {
    entrypoint: JSON.parse(last('ENTRYPOINT')?.getArgumentsContent() ?? '[]') as string[],
    workdir: last('WORKDIR')?.getArgumentsContent() ?? '/',
    env,
  };
}

describe('the jobs app directory (what the jobs image copies to /app)', () => {
  let workDir: string;
  let app: AppPackage;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'glyco-jobs-package-'));
    app = await packageApp(join(workDir, 'app'), JOBS_APP);
    console.info(`jobs app: ${megabytes(app.bytes)}; ${app.modules.join(', ')}`);
  }, 240_000);

  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it(`holds the glyco command with the trainer, in ${megabytes(SIZE_BUDGET_BYTES)} at most`, () => {
    expect(app.bytes).toBeLessThanOrEqual(SIZE_BUDGET_BYTES);
    expect(app.workspacePackages).toEqual(expect.arrayContaining(['@glyco/cli', '@glyco/trainer']));
    const dist = readdirSync(join(app.dir, 'dist'));
    // The workers its packages start by file name: the trainer's fitting thread, the embedded log's database,
    // glyco score's model.
    expect(dist).toEqual(
      expect.arrayContaining(['glyco.mjs', 'fit-worker.mjs', 'pglite-worker.mjs', 'engine-worker.mjs']),
    );
    const cli = JSON.parse(readFileSync(join(workspaceRoot, 'packages/cli/package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    const installed = readdirSync(join(app.dir, 'node_modules'));
    expect(installed).toContain('onnxruntime-node');
    expect(installed.filter((name) => name in cli.devDependencies)).toEqual([]);
  });

  // Not the image's own file system (its Amazon Linux base is on a registry this machine cannot reach): the app
  // directory on this host's Node, run by the stage's ENTRYPOINT, as its user, in its working directory, with the
  // directory Fargate mounts at /tmp; the registry is a directory that user owns, as the job's S3 prefix is its.
  describe.skipIf(process.getuid?.() !== 0)(
    'run as ECS runs the jobs image: its entry point, its user, /tmp as Fargate mounts it (needs root to switch user)',
    () => {
      const { entrypoint, workdir, env: imageEnv } = imageConfig();
      const { uid, gid } = userIds(stageUser(dockerfile, 'jobs'));
      let tmp: string;
      let registry: string;
      let node: string;
      /** A path of the image: /app is the app directory, /tmp the bind mount. */
      const inImage = (path: string) =>
        path.replace(/^\/(app|tmp)(?=\/|$)/, (_, root: string) => (root === 'app' ? app.dir : tmp));

      /** `docker run <jobs image> <args>` on ECS: the ENTRYPOINT with the task's command as its arguments. */
      function glycoInImage(args: string[], env: Record<string, string> = {}) {
        const [program, ...programArgs] = entrypoint;
        expect(program).toBe('node');
        const child = spawn(node, [...programArgs.map(inImage), ...args], {
          cwd: inImage(workdir),
          env: {
            PATH: dirname(node),
            ...Object.fromEntries(Object.entries(imageEnv).map(([name, value]) => [name, inImage(value)])),
            TMPDIR: tmp,
            ...env,
          },
          uid,
          gid,
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk) => (stdout += chunk));
        child.stderr.on('data', (chunk) => (stderr += chunk));
        return new Promise<Pick<SpawnSyncReturns<string>, 'status' | 'stdout' | 'stderr'>>((resolve) =>
          child.on('close', (status) => resolve({ status, stdout, stderr })),
        );
      }

      beforeAll(async () => {
        chmodSync(workDir, 0o755);
        node = nodeForAnyUser(workDir);
        tmp = fargateBindMount(dockerfile, '/tmp', join(workDir, 'fargate-tmp'), 'jobs');
        registry = join(workDir, 'registry');
        const store = openRegistry(registry);
        await publish(store, join(workspaceRoot, 'models/pima-diabetes/1.1.0'), { data: PIMA });
        await promote(store, { name: MODEL, version: '1.1.0', alias: 'production', actor: 'test' });
        chownTree(registry, uid, gid);
      }, 60_000);

      it("runs glyco score as on a laptop: a CSV scored with the alias's model, written to a relative path in /tmp", async () => {
        copyFileSync(PIMA, join(tmp, 'patients.csv'));
        const run = await glycoInImage([
          'score',
          '--model',
          `file://${registry}/${MODEL}@production`,
          '--data',
          'patients.csv',
          '--out',
          'scores.csv',
        ]);
        expect(run.stderr).toMatch(/^glyco: scored 768 of 768 rows in .*; wrote scores.csv$/m);
        expect(run.status).toBe(0);
        const [header, ...rows] = readFileSync(join(tmp, 'scores.csv'), 'utf8').trimEnd().split('\n');
        expect(header).toMatch(/^"?pregnant"?,.*,"?probability"?/);
        expect(rows).toHaveLength(768);
      }, 60_000);

      describe.skipIf(postgres.unavailable)('glyco job against the log in PostgreSQL', () => {
        let database: TestDatabase;
        beforeAll(async () => {
          database = await postgres.create();
          // Whose outcomes now follow blood pressure (above 72 mm Hg), which the champion barely uses.
          await logPimaPredictions(
            { database: database.options.database, spoolDir: join(workDir, 'spool') },
            olderPimaRows(),
            (row) => (row.pressure! > 72 ? 1 : 0),
          );
        }, 60_000);
        afterAll(() => database?.drop());

        it('reports the drift, runs a dry-run retrain that trains and judges a challenger, records both runs, and prints one JSON line last', async () => {
          const run = await glycoInImage(
            ['job', MODEL, '--registry', registry, '--json', '--', '--dry-run', '--resamples', '200'],
            { DATABASE_URL: database.options.database!.url! },
          );
          const lines = run.stdout.trimEnd().split('\n');
          expect(lines, run.stderr).toHaveLength(1);
          const result = JSON.parse(lines[0]!);
          expect(result.drift.drifted).toContain('age');
          const retrain = result.retrain.run;
          expect(retrain.parameters.dryRun).toBe(true);
          expect(['would-promote', 'not-promoted']).toContain(retrain.decision);
          expect(retrain.metrics.evaluation.rows).toBeGreaterThan(0);
          expect(run.status).toBe(result.exitCode);
          expect(run.status).toBe(retrain.decision === 'would-promote' ? 0 : 3);

          const store = openRegistry(registry);
          expect((await readRun(store, MODEL, result.run.id)).record).toMatchObject({
            kind: 'job',
            retrainRun: retrain.id,
          });
          expect((await readRun(store, MODEL, retrain.id)).record?.kind).toBe('retrain');
          // The retrain worked in the system temp directory, /tmp, and left nothing there.
          expect(readdirSync(tmp).filter((name) => name.startsWith('glyco-retrain-'))).toEqual([]);
        }, 180_000);
      });
    },
  );
});

function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    chownSync(join(entry.parentPath, entry.name), uid, gid);
  }
}

/** The Pima rows as an older population sends them: 25 years added to every age (drift). */
function olderPimaRows(): Record<string, number>[] {
  const [header, ...lines] = readFileSync(PIMA, 'utf8').trim().split('\n');
  const names = header!
    .split(',')
    .map((name) => name.replaceAll('"', ''))
    .slice(0, -1);
  return lines.map((line) => {
    const cells = line.split(',').map(Number);
    const inputs: Record<string, number> = Object.fromEntries(names.map((name, i) => [name, cells[i]!]));
    return { ...inputs, age: inputs.age! + 25 };
  });
}
