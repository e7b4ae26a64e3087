import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { expect, it } from 'vitest';
import { describeEachBackend } from './support/backends.ts';

const FIXTURE = new URL('./fixtures/record-until-sigterm.ts', import.meta.url).pathname;

describeEachBackend('SIGTERM in the middle of a load, on $name', (current) => {
  it('leaves every acknowledged prediction in the table after the process exits', async () => {
    const env = {
      ...process.env,
      SPOOL_DIR: current.spoolDir,
      DATABASE_URL: current.db.options.database?.url ?? '',
      DATA_DIR: current.db.options.dataDir ?? '',
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
      (await current.db.query<{ request_id: string }>('SELECT request_id FROM predictions')).map(
        (row) => row.request_id,
      ),
    );
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    expect(stored.size).toBe(closed?.queued);
  }, 60_000);
});
