import { execFile } from 'node:child_process';
import { rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleOptions } from '../../scripts/bundle-options.ts';
import { pglite, type TestDatabase } from './support/backends.ts';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
// Inside the package, so the bundle finds @electric-sql/pglite in node_modules as the app directory's does.
const outdir = join(packageDir, 'test-results', `log-bundle-${process.pid}`);
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
  beforeAll(async () => {
    db = await pglite.create();
    await build({
      ...bundleOptions(
        { log: 'src/prediction-log/index.ts', 'pglite-worker': 'src/prediction-log/pglite-worker.ts' },
        outdir,
      ),
      absWorkingDir: packageDir,
      logLevel: 'silent',
    });
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
      'a bundle must build src/prediction-log/pglite-worker.ts as the entry point',
    );
  }, 30_000);
});
