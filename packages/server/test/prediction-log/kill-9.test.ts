import { openPredictionLog } from '@glyco/prediction-log';
import { describeEachBackend, waitFor } from '@glyco/prediction-log/testing';
import { expect, it } from 'vitest';
import { predictLoad, startLoggedServer } from './support/logged-server.ts';

/**
 * kill -9 in the middle of a load: nothing of the server process gets to run, its memory is gone. With
 * PREDICTION_LOG_DURABILITY=strict an answer waits until its row is in the table or fsync'd in the spool, so
 * every prediction answered 200 is in the table once the spool is replayed. Buffered (the default) answers at
 * once, and what sat in memory is lost: the same test shows that, which is what strict is for.
 */
describeEachBackend('kill -9 of the node server under load, logging to $name', (current) => {
  const killUnderLoad = async (durability: 'strict' | 'buffered') => {
    const server = await startLoggedServer({
      PREDICTION_LOG_DURABILITY: durability,
      DATABASE_URL: current.db.options.database?.url ?? '',
      DATA_DIR: current.db.options.dataDir ?? '',
      SPOOL_DIR: current.spoolDir,
      // Buffered, rows wait in memory for up to 2 s; strict writes at once whatever this says.
      LOG_FLUSH_INTERVAL_MS: '2000',
      LOG_BATCH_ROWS: '500',
    });
    let killed = false;
    const load = predictLoad(server.base, 16, () => killed);
    await waitFor('1500 answers', () => load.answered.length >= 1500 || load.failures.length > 0, 30_000);
    server.process.kill('SIGKILL');
    killed = true;
    await load.done;
    expect(await server.exited).toBe(null);
    // Only the connections the kill cut: no answer but 200 before it.
    expect(load.failures.every((failure) => /fetch failed|ECONNRESET|socket/i.test(failure))).toBe(true);

    // The next process replays what the killed one spooled, then looks in the table.
    const next = await openPredictionLog({ ...current.db.options, spoolDir: current.spoolDir });
    await waitFor('the spool replayed', () => next.state().state === 'ok', 30_000);
    await next.close();
    const stored = new Set(
      (await current.db.query<{ request_id: string }>('SELECT request_id FROM predictions')).map(
        (row) => row.request_id,
      ),
    );
    return load.answered.filter((id) => !stored.has(id));
  };

  it('strict: every prediction answered 200 is in the table', async () => {
    expect(await killUnderLoad('strict')).toEqual([]);
  }, 90_000);

  it('buffered: the predictions still in memory are lost, as documented', async () => {
    expect((await killUnderLoad('buffered')).length).toBeGreaterThan(0);
  }, 90_000);
});
