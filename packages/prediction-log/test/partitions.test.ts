import { expect, it } from 'vitest';
import { openPredictionLog, openPredictionLogAdmin, type PredictionRecord } from '../src/index.ts';
import { MIGRATIONS, migrate } from '../src/migrations.ts';
import { openSqlClient } from '../src/open-database.ts';
import { keepPartitions, type UpkeepOptions } from '../src/partitions.ts';
import { createPredictionLogReader } from '../src/reader.ts';
import {
  batchJson,
  COPY_TARGET,
  copyText,
  INSERT_BATCH_SQL,
  type RowValues,
  rowJson,
  rowValues,
} from '../src/rows.ts';
import type { SqlClient } from '../src/sql-client.ts';
import { describeEachBackend } from './support/backends.ts';
import { memoryLogger, prediction, waitFor } from './support/records.ts';

/** A prediction made at `time` (ISO), by `client`. */
const madeAt = (requestId: string, time: string, client?: string): PredictionRecord => ({
  ...prediction(requestId),
  time: new Date(time),
  client,
});

async function write(client: SqlClient, records: (PredictionRecord | RowValues)[]): Promise<void> {
  const rows = records.map((record) => ('time' in record ? rowValues(record, 0) : record));
  await client.copyIn(COPY_TARGET, copyText(rows));
}

/** Each row's request id and the partition that holds it, in request id order. */
async function whereRowsAre(client: SqlClient): Promise<Record<string, string>> {
  const { rows } = await client.query<{ request_id: string; partition: string }>(
    'SELECT request_id, tableoid::regclass::text AS partition FROM predictions ORDER BY request_id',
  );
  return Object.fromEntries(rows.map((row) => [row.request_id, row.partition]));
}

const upkeep = (client: SqlClient, options: UpkeepOptions) =>
  client.session((db) => keepPartitions(db, options));

/** Migrations 1-3 as the last release left them, holding `records`. */
async function unpartitionedLog(client: SqlClient, records: (PredictionRecord | RowValues)[]): Promise<void> {
  await client.exec(`
    CREATE TABLE prediction_log_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
    ${MIGRATIONS.slice(0, 3)
      .map((migration) => migration.sql)
      .join('\n')}
    INSERT INTO prediction_log_migrations (version, name) VALUES (1, 'one'), (2, 'two'), (3, 'three');`);
  await write(client, records);
}

describeEachBackend('the prediction log by month on $name', (current) => {
  const open = () => openSqlClient(current.backend.name, current.db.options, memoryLogger());

  it('takes a row of any month: its partition once made, the default one until then', async () => {
    const client = await open();
    // The last millisecond of January: the migration makes this month's partition and the next.
    await migrate(client, new Date('2027-01-31T23:59:59.999Z'));
    await write(client, [
      madeAt('january', '2027-01-31T23:59:59.999Z'),
      madeAt('february', '2027-02-01T00:00:00.000Z'),
      madeAt('march', '2027-03-01T00:00:00.000Z'),
    ]);
    expect(await whereRowsAre(client)).toEqual({
      february: 'predictions_2027_02',
      january: 'predictions_2027_01',
      march: 'predictions_default',
    });
    // The clock turns to February: March gets its partition, and its row moves there from the default.
    const report = await upkeep(client, {
      now: new Date('2027-02-01T00:00:00Z'),
      retentionMonths: undefined,
    });
    expect(report.created).toEqual(['predictions_2027_03']);
    expect(await whereRowsAre(client)).toEqual({
      february: 'predictions_2027_02',
      january: 'predictions_2027_01',
      march: 'predictions_2027_03',
    });
    // Nothing left to make in a second round.
    const again = await upkeep(client, { now: new Date('2027-02-20T00:00:00Z'), retentionMonths: undefined });
    expect(again.created).toEqual([]);
    await client.close();
  });

  it('partitions a log of rows without losing or changing one; the old table holds the earlier rows', async () => {
    const client = await open();
    const june = rowValues(madeAt('june', '2026-06-10T08:00:00Z', 'key:a'), 0);
    const old = [june, madeAt('september', '2026-09-14T08:00:00Z')];
    await unpartitionedLog(client, old);
    const columns = 'id, predicted_at, request_id, inputs, prediction, probability, client, logged_at';
    const before = await client.query(`SELECT ${columns} FROM predictions ORDER BY id`);
    expect(await migrate(client, new Date('2026-09-15T12:00:00Z'))).toEqual([4]);
    expect((await client.query(`SELECT ${columns} FROM predictions ORDER BY id`)).rows).toEqual(before.rows);
    // Rows until the end of next month stay in the old table; from then on, a partition a month.
    await write(client, [
      madeAt('october', '2026-10-02T08:00:00Z'),
      madeAt('november', '2026-11-02T08:00:00Z'),
    ]);
    expect(await whereRowsAre(client)).toEqual({
      june: 'predictions_before_2026_11',
      november: 'predictions_default',
      october: 'predictions_before_2026_11',
      september: 'predictions_before_2026_11',
    });
    // Its indexes were adopted by the partitioned table's, not built again beside them.
    const { rows: indexes } = await client.query<{ name: string }>(
      `SELECT indexrelid::regclass::text AS name FROM pg_index
       WHERE indrelid = 'predictions_before_2026_11'::regclass ORDER BY 1`,
    );
    expect(indexes.map((index) => index.name)).toEqual([
      'predictions_before_2026_11_client',
      'predictions_before_2026_11_pkey',
      'predictions_before_2026_11_predicted_at_brin',
      'predictions_before_2026_11_request',
    ]);
    // A row replayed from a spool written before the migration is still a conflict, not a second row.
    const replayed = await client.query(INSERT_BATCH_SQL, [batchJson([rowJson(june)])]);
    expect(replayed.affectedRows).toBe(0);
    await client.close();
  });

  it('builds the key and validates the bound of a log of rows before its short transaction, not in it', async () => {
    const client = await open();
    await unpartitionedLog(client, [madeAt('june', '2026-06-10T08:00:00Z')]);
    const statements: string[] = [];
    const recording: SqlClient = {
      ...client,
      session: (work) =>
        client.session((db) =>
          work({
            query: (sql, params) => {
              statements.push(sql);
              return db.query(sql, params);
            },
            exec: (sql) => {
              statements.push(sql);
              return db.exec(sql);
            },
          }),
        ),
    };
    await migrate(recording, new Date('2026-09-15T12:00:00Z'));
    const begin = statements.lastIndexOf('BEGIN');
    const slow = (sql: string) => /CREATE UNIQUE INDEX|VALIDATE CONSTRAINT/.test(sql);
    const before = statements.slice(0, begin).filter(slow);
    expect(before).toEqual([
      expect.stringContaining('CREATE UNIQUE INDEX CONCURRENTLY predictions_id_predicted_at'),
      'ALTER TABLE predictions VALIDATE CONSTRAINT predictions_before_2026_11',
      'ALTER TABLE predictions VALIDATE CONSTRAINT predictions_observed_outcome_check',
      'ALTER TABLE predictions VALIDATE CONSTRAINT predictions_outputs_of_one_task',
    ]);
    // In the transaction, the constraints are valid already (VALIDATE returns at once) and no index is built.
    expect(statements.slice(begin).filter((sql) => /CREATE UNIQUE INDEX/.test(sql))).toEqual([]);
    await client.close();
  });

  it('drops the months past the retention, and the older rows of the partition that spans it', async () => {
    const client = await open();
    await unpartitionedLog(client, [
      madeAt('2026-06', '2026-06-10T08:00:00Z'),
      madeAt('2026-08', '2026-08-10T08:00:00Z'),
    ]);
    await migrate(client, new Date('2026-09-15T12:00:00Z'));
    await write(client, [
      madeAt('2026-09', '2026-09-20T08:00:00Z'),
      madeAt('2026-10', '2026-10-10T08:00:00Z'),
    ]);
    for (const month of ['2026-11', '2026-12', '2027-01']) {
      await upkeep(client, { now: new Date(`${month}-01T00:00:00Z`), retentionMonths: undefined });
      await write(client, [madeAt(month, `${month}-05T08:00:00Z`)]);
    }
    await client.close();
    const admin = await openPredictionLogAdmin(current.db.options);
    const now = new Date('2027-01-20T00:00:00Z');
    // Four months kept before January: from September on.
    const dryRun = await admin.prune({ retentionMonths: 4, now, dryRun: true });
    expect(dryRun).toEqual({
      created: [],
      keptSince: new Date('2026-09-01T00:00:00Z'),
      dropped: [],
      deletedRows: 2,
    });
    expect(await admin.prune({ retentionMonths: 4, now })).toEqual(dryRun);
    // Two months: the old table's months all lie before November, so it goes whole.
    expect(await admin.prune({ retentionMonths: 2, now })).toEqual({
      created: [],
      keptSince: new Date('2026-11-01T00:00:00Z'),
      dropped: [{ name: 'predictions_before_2026_11', rows: 2 }],
      deletedRows: 0,
    });
    await admin.close();
    const reopened = await open();
    expect(await whereRowsAre(reopened)).toEqual({
      '2026-11': 'predictions_2026_11',
      '2026-12': 'predictions_2026_12',
      '2027-01': 'predictions_2027_01',
    });
    await reopened.close();
  });

  it("answers feedback, drift, the labelled rows and a client's deletion the same across months", async () => {
    const client = await open();
    await migrate(client, new Date('2027-01-20T00:00:00Z'));
    await write(client, [
      madeAt('jan', '2027-01-30T10:00:00Z', 'key:clinic'),
      madeAt('feb', '2027-02-02T10:00:00Z', 'key:clinic'),
      madeAt('other', '2027-02-03T10:00:00Z', 'key:other'),
    ]);
    const reader = createPredictionLogReader(client);
    for (const requestId of ['jan', 'feb']) {
      const outcome = { classIndex: 1, label: 'pos' };
      expect(await reader.recordOutcome('pima-diabetes', requestId, 0, outcome)).toBe(true);
    }
    const window = {
      modelName: 'pima-diabetes',
      modelVersion: '1.0.0',
      since: new Date('2027-01-15T00:00:00Z'),
      until: new Date('2027-02-15T00:00:00Z'),
      limit: 100,
    };
    expect((await reader.loggedInputs(window)).total).toBe(3);
    expect(await reader.labelledPredictions(window)).toHaveLength(2);
    const labelled = await reader.labelledRows({ modelName: 'pima-diabetes', limit: 10 });
    expect(labelled.map((row) => row.predictedAt.toISOString())).toEqual([
      '2027-01-30T10:00:00.000Z',
      '2027-02-02T10:00:00.000Z',
    ]);
    // Feedback's lookup has an index in every partition: no partition is scanned even when scans cost most.
    const plan = await client.transaction(async (tx) => {
      await tx.exec('SET LOCAL enable_seqscan = off');
      const explained = await tx.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (COSTS OFF) SELECT 1 FROM predictions WHERE request_id = 'jan' AND row_index = 0`,
      );
      return explained.rows;
    });
    const planText = plan.map((line) => line['QUERY PLAN']).join('\n');
    expect(planText).not.toMatch(/Seq Scan/);
    await client.close();
    const admin = await openPredictionLogAdmin(current.db.options);
    expect(await admin.deleteClient('key:clinic')).toBe(2);
    await admin.close();
    const reopened = await open();
    expect(await whereRowsAre(reopened)).toEqual({ other: 'predictions_2027_02' });
    await reopened.close();
  });

  it('is kept by the log itself: months made ahead and dropped by age as its clock turns', async () => {
    let now = new Date('2027-01-10T00:00:00Z');
    const logger = memoryLogger();
    const log = await openPredictionLog({
      ...current.db.options,
      spoolDir: current.spoolDir,
      logger,
      retentionMonths: 1,
      upkeepIntervalMs: 50,
      now: () => now,
    });
    log.record([madeAt('jan', '2027-01-05T08:00:00Z'), madeAt('feb', '2027-02-03T08:00:00Z')]);
    await log.flush();
    const total = async () =>
      (await log.reader!.loggedInputs({ modelName: 'pima-diabetes', modelVersion: '1.0.0', limit: 10 }))
        .total;
    expect(await total()).toBe(2);
    // March: one month kept before it (February), so January's partition goes.
    now = new Date('2027-03-02T00:00:00Z');
    await waitFor('January to be dropped', async () => (await total()) === 1);
    await log.close();
    const kept = logger.lines.filter((line) => line.msg === 'prediction log: partitions kept');
    expect(kept.flatMap((line) => line.fields?.dropped)).toEqual(['predictions_2027_01 (1 rows)']);
  });
});
