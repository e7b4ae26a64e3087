import { describeEachBackend, waitFor } from '@glyco/prediction-log/testing';
import { expect, it } from 'vitest';
import { predictLoad, startLoggedServer } from './support/logged-server.ts';

describeEachBackend('the node server on SIGTERM in the middle of a load, logging to $name', (current) => {
  it('has every prediction that got a 200 in the table after it exits 0', async () => {
    const server = await startLoggedServer({
      DATABASE_URL: current.db.options.database?.url ?? '',
      DATA_DIR: current.db.options.dataDir ?? '',
      SPOOL_DIR: current.spoolDir,
    });
    let deadline = false;
    // The clients stop once the server stops accepting.
    const load = predictLoad(server.base, 8, ({ failures }) => deadline || failures.length > 0);
    await waitFor('1500 answers', () => load.answered.length >= 1500, 30_000);
    server.process.kill('SIGTERM');
    const timer = setTimeout(() => {
      deadline = true;
    }, 20_000);
    await load.done;
    clearTimeout(timer);
    expect(await server.exited).toBe(0);

    const stored = new Set(
      (await current.db.query<{ request_id: string }>('SELECT request_id FROM predictions')).map(
        (row) => row.request_id,
      ),
    );
    expect(load.answered.length).toBeGreaterThanOrEqual(1500);
    expect(load.answered.filter((id) => !stored.has(id))).toEqual([]);
  }, 60_000);
});
