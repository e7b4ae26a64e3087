import { expect, it } from 'vitest';
import { openPredictionLog, openPredictionLogAdmin } from '../src/index.ts';
import { MIGRATIONS, migrate } from '../src/migrations.ts';
import { openSqlClient } from '../src/open-database.ts';
import { batchJson, INSERT_BATCH_SQL, rowJson, rowValues } from '../src/rows.ts';
import { describeEachBackend } from './support/backends.ts';
import { memoryLogger, prediction } from './support/records.ts';

const fromClient = (requestId: string, client?: string) => ({ ...prediction(requestId), client });

describeEachBackend('the client of each prediction on $name', (current) => {
  it('is stored with every row, by COPY and by a replayed INSERT, NULL when authentication named none', async () => {
    const log = await openPredictionLog({
      ...current.db.options,
      spoolDir: current.spoolDir,
      logger: memoryLogger(),
    });
    log.record([fromClient('a', 'key:clinic-a'), fromClient('b', 'oidc:ward-app'), fromClient('c')]);
    await log.close();
    const client = await openSqlClient(current.backend.name, current.db.options, memoryLogger());
    // A spooled row replays through INSERT_BATCH_SQL, the client included.
    await client.query(INSERT_BATCH_SQL, [batchJson([rowJson(rowValues(fromClient('d', 'key:lab'), 0))])]);
    const { rows } = await client.query('SELECT request_id, client FROM predictions ORDER BY request_id');
    await client.close();
    expect(rows).toEqual([
      { request_id: 'a', client: 'key:clinic-a' },
      { request_id: 'b', client: 'oidc:ward-app' },
      { request_id: 'c', client: null },
      { request_id: 'd', client: 'key:lab' },
    ]);
  });

  it('is added by migration 3 to a log of rows, which keep every value and a NULL client', async () => {
    const client = await openSqlClient(current.backend.name, current.db.options, memoryLogger());
    await client.exec(`
      CREATE TABLE prediction_log_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
      ${MIGRATIONS[0]!.sql}
      ${MIGRATIONS[1]!.sql}
      INSERT INTO prediction_log_migrations (version, name) VALUES (1, 'one'), (2, 'two');`);
    // Rows as version 2 wrote them: no client element, a conflict on the id alone.
    const old = [0, 1, 2].map((i) => rowJson(rowValues(prediction(`old-${i}`), 0).slice(0, 14) as never));
    const version2Insert = INSERT_BATCH_SQL.replace(', client', '')
      .replace(', r->>14', '')
      .replace('(id, predicted_at) DO', '(id) DO');
    await client.query(version2Insert, [batchJson(old)]);
    expect(await migrate(client)).toEqual([3, 4]);
    const { rows } = await client.query<{ n: number; clients: number }>(
      'SELECT count(*)::int AS n, count(client)::int AS clients FROM predictions',
    );
    await client.close();
    expect(rows).toEqual([{ n: 3, clients: 0 }]);
  });

  it("are deleted for one client on request, and only that client's rows", async () => {
    const log = await openPredictionLog({
      ...current.db.options,
      spoolDir: current.spoolDir,
      logger: memoryLogger(),
    });
    log.record([
      fromClient('a1', 'key:clinic-a'),
      fromClient('a2', 'key:clinic-a'),
      fromClient('b', 'key:clinic-b'),
    ]);
    log.record([fromClient('anonymous')]);
    await log.close();
    const admin = await openPredictionLogAdmin(current.db.options);
    expect(await admin.deleteClient('key:clinic-a')).toBe(2);
    expect(await admin.deleteClient('key:clinic-a')).toBe(0);
    await admin.close();
    const client = await openSqlClient(current.backend.name, current.db.options, memoryLogger());
    const { rows } = await client.query('SELECT request_id FROM predictions ORDER BY request_id');
    await client.close();
    expect(rows).toEqual([{ request_id: 'anonymous' }, { request_id: 'b' }]);
  });
});
