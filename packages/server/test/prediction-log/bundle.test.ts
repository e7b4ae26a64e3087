import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LOG_BUNDLE } from '@glyco/prediction-log/bundling';
import { pglite, type TestDatabase } from '@glyco/prediction-log/testing';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleOptions } from '../../scripts/bundle-options.ts';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const logEntry = import.meta.resolve('@glyco/prediction-log');
const run = promisify(execFile);

/** Records one prediction through the bundled log and prints its metrics. */
const SCRIPT = `
const { openPredictionLog } = await import('./log.mjs');
const log = await openPredictionLog({ dataDir: process.argv[2], spoolDir: process.argv[3] });
log.record([{ requestId: 'bundled', time: new Date(), modelName: 'm', modelVersion: '1', inputs: { x: 1 },
  outputs: { prediction: 1, label: 'pos', probability: 0.7, riskLevel: 'high' }, latencyMs: 1 }]);
await log.close();
process.stdout.write(JSON.stringify(log.metrics()));
`;

describe('the embedded log in an esbuild bundle (the app directory the image ships)', () => {
  let db: TestDatabase;
  let outdir: string;
  beforeAll(async () => {
    db = await pglite.create();
    outdir = await mkdtemp(join(tmpdir(), 'glyco-log-bundle-'));
    await build({
      ...bundleOptions({ log: fileURLToPath(logEntry), ...LOG_BUNDLE.entryPoints }, outdir),
      absWorkingDir: packageDir,
      logLevel: 'silent',
    });
    // As in the app directory, the bundle finds its external packages in a node_modules beside it.
    await mkdir(join(outdir, 'node_modules/@electric-sql'), { recursive: true });
    await symlink(
      await realpath(fileURLToPath(new URL('../node_modules/@electric-sql/pglite', logEntry))),
      join(outdir, 'node_modules/@electric-sql/pglite'),
    );
    await writeFile(join(outdir, 'run.mjs'), SCRIPT);
  }, 30_000);
  afterAll(async () => {
    await rm(outdir, { recursive: true, force: true });
    await db.drop();
  });

  const runBundle = () =>
    run(process.execPath, [join(outdir, 'run.mjs'), db.options.dataDir!, join(outdir, 'spool')], {
      timeout: 30_000,
    });

  it('runs its database thread from the "pglite-worker" entry point built beside the bundle', async () => {
    const { stdout } = await runBundle();
    expect(JSON.parse(stdout)).toMatchObject({ written: 1, dropped: 0 });
  }, 30_000);

  it('says what the bundle lacks when that entry point is missing', async () => {
    await unlink(join(outdir, 'pglite-worker.mjs'));
    await expect(runBundle()).rejects.toThrow(
      `a bundle must build @glyco/prediction-log's src/pglite-worker.ts as the entry point "pglite-worker"`,
    );
  }, 30_000);
});
