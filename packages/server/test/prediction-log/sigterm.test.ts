import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends, type TestDatabase } from './support/backends.ts';

const FIXTURE = new URL('./fixtures/record-until-sigterm.ts', import.meta.url).pathname;

describe.each(backends)('SIGTERM in the middle of a load, on $name', (backend) => {
  if (backend.unavailable) {
    it.skip(`needs ${backend.name}: ${backend.unavailable}`, () => {});
    return;
  }
  let db: TestDatabase;
  let spoolDir: string;
  beforeEach(async () => {
    db = await backend.create();
    spoolDir = await mkdtemp(join(tmpdir(), 'glyco-sigterm-spool-'));
  });
  afterEach(async () => {
    await db.drop();
    await rm(spoolDir, { recursive: true, force: true });
  });

  it('leaves every acknowledged prediction in the table after the process exits', async () => {
    const env = {
      ...process.env,
      SPOOL_DIR: spoolDir,
      DATABASE_URL: db.options.databaseUrl ?? '',
      DATA_DIR: db.options.dataDir ?? '',
    };
    const child = spawn(process.execPath, [FIXTURE], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const acknowledged: string[] = [];
    let closed: Record<string, number> | undefined;
    for await (const line of createInterface({ input: child.stdout })) {
      if (line.startsWith('ok ')) acknowledged.push(...line.slice(3).split(' '));
      if (line.startsWith('closed ')) closed = JSON.parse(line.slice(7));
      if (acknowledged.length >= 3000 && child.signalCode === null && !child.killed) child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(closed?.queuedAtSigterm).toBeGreaterThan(0);
    expect(closed).toMatchObject({ dropped: 0 });

    const stored = new Set(
      (await db.query<{ request_id: string }>('SELECT request_id FROM predictions')).map(
        (row) => row.request_id,
      ),
    );
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    expect(stored.size).toBe(closed?.queued);
  }, 60_000);
});
