import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describeEachBackend } from '@glyco/prediction-log/testing';
import { expect, it } from 'vitest';
import { exampleRow } from '../../src/model/example-row.ts';
import { MANIFEST } from '../support/fixtures.ts';

const SERVER = new URL('./fixtures/server-with-log.ts', import.meta.url).pathname;
const body = JSON.stringify(exampleRow(MANIFEST));

describeEachBackend('the node server on SIGTERM in the middle of a load, logging to $name', (current) => {
  it('has every prediction that got a 200 in the table after it exits 0', async () => {
    const env = {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATABASE_URL: current.db.options.database?.url ?? '',
      DATA_DIR: current.db.options.dataDir ?? '',
      SPOOL_DIR: current.spoolDir,
    };
    const server = spawn(process.execPath, [SERVER], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
    const lines = createInterface({ input: server.stdout });
    const port = await new Promise<number>((resolve) => {
      lines.on('line', (line) => {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'listening' && entry.port) resolve(entry.port);
      });
    });

    const answered: string[] = [];
    let stopped = false;
    const client = async () => {
      while (!stopped) {
        try {
          const response = await fetch(`http://127.0.0.1:${port}/predict`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          });
          const result = (await response.json()) as { request_id: string };
          if (response.status === 200) answered.push(result.request_id);
        } catch {
          stopped = true; // the server stopped accepting
        }
      }
    };
    const clients = Array.from({ length: 8 }, client);
    while (answered.length < 1500) await new Promise((resolve) => setTimeout(resolve, 10));
    server.kill('SIGTERM');
    const deadline = setTimeout(() => {
      stopped = true;
    }, 20_000);
    await Promise.all(clients);
    clearTimeout(deadline);
    expect(await exited).toBe(0);

    const stored = new Set(
      (await current.db.query<{ request_id: string }>('SELECT request_id FROM predictions')).map(
        (row) => row.request_id,
      ),
    );
    expect(answered.length).toBeGreaterThanOrEqual(1500);
    expect(answered.filter((id) => !stored.has(id))).toEqual([]);
  }, 60_000);
});
