import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPredictionLog, openPredictionLogReader } from '@glyco/prediction-log';
import { prediction } from '@glyco/prediction-log/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'glyco-cli-log-'));
const dataDir = join(work, '.glyco/predictions');

function glyco(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [MAIN, ...args], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '', PREDICTION_LOG_RETENTION_MONTHS: '', ...env },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const monthsAgo = (months: number) => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, 10));
};

async function loggedRows(): Promise<number> {
  const log = await openPredictionLogReader({ dataDir });
  try {
    const window = { modelName: 'pima-diabetes', modelVersion: '1.0.0', limit: 10 };
    return (await log.reader.loggedInputs(window)).total;
  } finally {
    await log.close();
  }
}

beforeAll(async () => {
  const log = await openPredictionLog({ dataDir, spoolDir: join(work, '.glyco/spool') });
  log.record([
    { ...prediction('two-years-ago'), time: monthsAgo(24) },
    { ...prediction('last-month'), time: monthsAgo(1) },
    prediction('now'),
  ]);
  await log.close();
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Each run starts node and opens the embedded database: seconds, not milliseconds.
describe('glyco log prune', { timeout: 60_000 }, () => {
  it('drops nothing while the retention is forever (unset)', async () => {
    const { status, stdout } = glyco(['log', 'prune']);
    expect(status).toBe(0);
    expect(stdout).toContain('retention: forever (PREDICTION_LOG_RETENTION_MONTHS unset): nothing dropped');
    expect(await loggedRows()).toBe(3);
  });

  it('refuses a retention that is not a number of months, on one line', () => {
    expect(glyco(['log', 'prune', '--retention-months', '0'])).toMatchObject({
      status: 2,
      stderr:
        'glyco: log prune: --retention-months must be a whole number of months from 1 to 1200, or forever\n',
    });
    expect(glyco(['log', 'prune'], { PREDICTION_LOG_RETENTION_MONTHS: 'a year' })).toMatchObject({
      status: 2,
      stderr:
        'glyco: log prune: PREDICTION_LOG_RETENTION_MONTHS must be a whole number of months from 1 to 1200, or forever\n',
    });
  });

  it('says what would go on a dry run, then deletes the rows older than the retention the server reads', async () => {
    const dry = glyco(['log', 'prune', '--dry-run', '--json'], { PREDICTION_LOG_RETENTION_MONTHS: '12' });
    expect(dry.status).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ deletedRows: 1, dropped: [] });
    expect(await loggedRows()).toBe(3);
    const { status, stdout } = glyco(['log', 'prune'], { PREDICTION_LOG_RETENTION_MONTHS: '12' });
    expect(status).toBe(0);
    expect(stdout).toContain(
      `kept: predictions since ${new Date(monthsAgo(12).setUTCDate(1)).toISOString()}`,
    );
    expect(stdout).toContain('deleted 1 prediction older than that');
    expect(await loggedRows()).toBe(2);
  });
});
