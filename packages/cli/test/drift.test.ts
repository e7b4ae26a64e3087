import { execFile, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseManifest } from '@glyco/contract';
import { openPredictionLog } from '@glyco/prediction-log';
import { sampleRows } from '@glyco/prediction-log/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'packages/cli/src/main.ts');
const databaseUrl = process.env.TEST_DATABASE_URL;
const postgresTools = process.env.TEST_POSTGRES_BINDIR;
if ((!databaseUrl || !postgresTools) && process.env.CI === 'true') {
  throw new Error('TEST_DATABASE_URL and TEST_POSTGRES_BINDIR must be set in CI (.ci/postgres.sh)');
}

function glyco(args: string[], cwd: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [MAIN, ...args], { cwd, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (status) => resolve({ status, stdout, stderr })),
  );
}

/**
 * Logged predictions whose glucose runs 40 mg/dL above the training data; the other features are left out
 * (missing), so glucose is the only feature with values to judge.
 */
function shiftedPredictions(count: number) {
  return Array.from({ length: count }, (_, i) => [
    {
      requestId: `cli-${i}`,
      time: new Date(),
      modelName: 'pima-diabetes',
      modelVersion: '1.0.0',
      inputs: { glucose: 130 + ((i * 37) % 60) },
      outputs: { prediction: 1, label: 'pos', probability: 0.7, riskLevel: 'high' },
      latencyMs: 0.3,
    },
  ]);
}

/** Runs createdb or dropdb against the test server: a database of this test's own keeps other rows out. */
async function onTestServer(tool: 'createdb' | 'dropdb', name: string): Promise<string> {
  const url = new URL(databaseUrl!);
  const args = [
    '-h',
    url.hostname,
    '-p',
    url.port,
    '-U',
    url.username,
    ...(tool === 'dropdb' ? ['--force'] : []),
    name,
  ];
  await promisify(execFile)(join(postgresTools!, tool), args);
  url.pathname = `/${name}`;
  return url.toString();
}

describe('glyco drift', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'glyco-cli-drift-'));
    await mkdir(join(work, 'models/pima-diabetes'), { recursive: true });
    // The version the logged predictions name, and the only one: the newest, which drift reads by default.
    await cp(join(ROOT, 'models/pima-diabetes/1.0.0'), join(work, 'models/pima-diabetes/1.0.0'), {
      recursive: true,
    });
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

  it('says where the log would be when there is none, with a non-zero exit', async () => {
    const result = await glyco(['drift'], work, { DATABASE_URL: '' });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'glyco: drift: no prediction log in .glyco/predictions here: run it where the server runs (pnpm start), or set DATABASE_URL\n',
    );
  });

  it('refuses a --since it cannot read, naming the forms it takes', async () => {
    const result = await glyco(['drift', '--since', 'last tuesday'], work);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^glyco: drift: --since "last tuesday" is not a time: use an ISO 8601 time/,
    );
  });

  it('refuses a model it cannot find', async () => {
    const result = await glyco(['drift', '--model', 'no-such-model'], work);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no model versions in');
  });

  it('loads the prediction log, not the server and its model runtime', async () => {
    // Records every package the command imports, and prints them as it exits.
    const hooks = `
      import { registerHooks } from 'node:module';
      const imported = new Set();
      registerHooks({ resolve(specifier, context, next) {
        if (/^[@a-z]/.test(specifier) && !specifier.startsWith('node:')) imported.add(specifier);
        return next(specifier, context);
      } });
      process.on('exit', () => process.stderr.write(JSON.stringify([...imported])));`;
    const child = spawn(process.execPath, [
      '--import',
      `data:text/javascript,${encodeURIComponent(hooks)}`,
      MAIN,
      'drift',
      '--help',
    ]);
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    await new Promise((resolve) => child.on('close', resolve));
    const imported: string[] = JSON.parse(stderr);
    expect(imported).toContain('@glyco/prediction-log');
    expect(imported.filter((name) => /^@glyco\/server|^onnxruntime|^hono/.test(name))).toEqual([]);
  });

  it('refuses a DATABASE_PORT the server would refuse, with the same message', async () => {
    const result = await glyco(['drift'], work, { DATABASE_URL: '', DATABASE_PORT: '70000' });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      'glyco: drift: invalid configuration: DATABASE_PORT must be a whole number from 1 to 65535\n',
    );
  });

  const logs = [
    { name: 'the embedded log (PGlite)', server: false },
    { name: 'PostgreSQL', server: true },
  ];
  describe.each(logs)('reading $name', ({ server }) => {
    const env = { DATABASE_URL: '' };
    const skip = server && !(databaseUrl && postgresTools) ? 'TEST_DATABASE_URL is not set' : undefined;
    const database = `glyco_cli_drift_${process.pid}`;
    beforeAll(async () => {
      if (skip) return;
      if (server) env.DATABASE_URL = await onTestServer('createdb', database);
      const log = await openPredictionLog({
        database: { url: env.DATABASE_URL || undefined },
        dataDir: join(work, '.glyco/predictions'),
        spoolDir: join(work, '.glyco/spool'),
      });
      for (const request of shiftedPredictions(400)) log.record(request);
      await log.close();
    }, 60_000);
    afterAll(async () => {
      if (server && !skip) await onTestServer('dropdb', database);
    });

    it.skipIf(skip)(
      'prints a table that flags the shifted glucose, and exits 3 with --fail-on-drift',
      async () => {
        const result = await glyco(['drift', '--since', '1h', '--fail-on-drift'], work, env);
        expect(result.stderr).toBe('');
        expect(result.status).toBe(3);
        const lines = result.stdout.split('\n');
        expect(lines[0]).toMatch(/^pima-diabetes 1\.0\.0: \d+ logged predictions since \d{4}-/);
        expect(lines.find((line) => line.startsWith('glucose'))).toMatch(/ DRIFT$/);
        expect(lines).toContain('DRIFT in 1 feature(s): glucose');
        expect(lines.find((line) => line.startsWith('age'))).toMatch(/ insufficient-data$/);
      },
      30_000,
    );

    it.skipIf(skip)(
      'prints the same report as JSON with --json, and exits 0 without --fail-on-drift',
      async () => {
        const result = await glyco(['drift', '--json', '--limit', '400'], work, env);
        expect(result.status).toBe(0);
        const report = JSON.parse(result.stdout);
        expect(report.model).toEqual({ name: 'pima-diabetes', version: '1.0.0' });
        expect(report.rows.analysed).toBe(400);
        expect(report.drifted).toEqual(['glucose']);
        expect(report.performance).toBeNull();
      },
      30_000,
    );

    it.skipIf(skip)(
      "judges a categorical feature by chi-square and reports a multiclass model's live accuracy and macro F1",
      async () => {
        const fixture = join(ROOT, 'packages/server/test/fixtures/models/readmissions/1.0.0');
        await cp(fixture, join(work, 'models/readmissions/1.0.0'), { recursive: true });
        const manifest = parseManifest(JSON.parse(await readFile(join(fixture, 'manifest.json'), 'utf8')));
        const log = await openPredictionLog({
          database: { url: env.DATABASE_URL || undefined },
          dataDir: join(work, '.glyco/predictions'),
          spoolDir: join(work, '.glyco/spool'),
        });
        const rows = sampleRows(manifest, 300, 3, {}, { race: { category: 'Asian', share: 0.7 } });
        rows.forEach((inputs, i) => {
          const outputs = {
            prediction: i % 3,
            label: ['<30', '>30', 'NO'][i % 3]!,
            probabilities: [0.2, 0.3, 0.5],
          };
          log.record([
            {
              requestId: `cat-${i}`,
              time: new Date(),
              modelName: 'readmissions',
              modelVersion: '1.0.0',
              inputs,
              outputs,
              latencyMs: 0.3,
            },
          ]);
        });
        await log.flush();
        for (let i = 0; i < 4; i++) {
          await log.reader!.recordOutcome('readmissions', `cat-${i}`, 0, { classIndex: 0, label: '<30' });
        }
        await log.close();
        const result = await glyco(['drift', '--model', 'readmissions'], work, env);
        expect(result.stderr).toBe('');
        const lines = result.stdout.split('\n');
        expect(lines.find((line) => line.startsWith('race'))).toMatch(/ χ² +\d+\.\d{3} +<0\.001 {2}DRIFT$/);
        expect(lines.find((line) => line.startsWith('age'))).toMatch(/ KS +\d\.\d{3} /);
        expect(lines.find((line) => line.startsWith('Live performance'))).toMatch(
          /^Live performance on 4 reported outcomes: accuracy 0\.500 \(held-out 0\.\d{3}\), macro F1 /,
        );
      },
      30_000,
    );

    // Only a server has a port and a database name to override: on PGlite this case does not exist.
    it.skipIf(skip || !server)(
      'honours DATABASE_NAME and DATABASE_PORT over the database and port in DATABASE_URL, as the server does',
      async () => {
        const url = new URL(env.DATABASE_URL);
        const realPort = url.port;
        url.port = '1';
        url.pathname = '/no_such_database';
        const result = await glyco(['drift', '--json'], work, {
          DATABASE_URL: url.toString(),
          DATABASE_PORT: realPort,
          DATABASE_NAME: database,
        });
        expect(result.stderr).toBe('');
        expect(JSON.parse(result.stdout).rows.analysed).toBe(400);
      },
      30_000,
    );
  });
});
