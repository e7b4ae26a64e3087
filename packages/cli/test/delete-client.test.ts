import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPredictionLog, openPredictionLogReader } from '@glyco/prediction-log';
import { prediction } from '@glyco/prediction-log/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'glyco-cli-delete-'));
const dataDir = join(work, '.glyco/predictions');

function glyco(args: string[]) {
  const result = spawnSync(process.execPath, [MAIN, ...args], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '' },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  const log = await openPredictionLog({ dataDir, spoolDir: join(work, '.glyco/spool') });
  log.record([
    { ...prediction('a-1'), client: 'key:clinic-a' },
    { ...prediction('a-2'), client: 'key:clinic-a' },
    { ...prediction('b-1'), client: 'key:clinic-b' },
  ]);
  await log.close();
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Each run starts node and opens the embedded database: seconds, not milliseconds.
describe('glyco delete-client', { timeout: 60_000 }, () => {
  it('refuses to delete without --yes, and deletes nothing', () => {
    expect(glyco(['delete-client', 'key:clinic-a'])).toMatchObject({
      status: 2,
      stdout: '',
      stderr: "glyco: delete-client: deleting key:clinic-a's predictions cannot be undone: add --yes\n",
    });
  });

  it("deletes one client's predictions from the server's log and says how many", async () => {
    expect(glyco(['delete-client', 'key:clinic-a', '--yes'])).toMatchObject({
      status: 0,
      stdout: 'deleted 2 predictions of key:clinic-a\n',
    });
    const log = await openPredictionLogReader({ dataDir });
    try {
      const window = { modelName: 'pima-diabetes', modelVersion: '1.0.0', limit: 10 };
      expect((await log.reader.loggedInputs(window)).total).toBe(1);
    } finally {
      await log.close();
    }
    expect(glyco(['delete-client', 'key:clinic-a', '--yes']).stdout).toBe(
      'deleted 0 predictions of key:clinic-a\n',
    );
  });
});
