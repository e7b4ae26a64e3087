import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatchingPredictionLog } from '../src/batching-log.ts';
import { openPredictionLog, openPredictionLogReader } from '../src/index.ts';
import { MIGRATIONS, migrate } from '../src/migrations.ts';
import { openSqlClient } from '../src/open-database.ts';
import { batchJson, COPY_TARGET, copyText, INSERT_BATCH_SQL, rowJson, rowValues } from '../src/rows.ts';
import { Spool, type SpoolOptions } from '../src/spool.ts';
import { decodeRecords, type SpoolRecord } from '../src/spool-records.ts';
import type { Durability } from '../src/types.ts';
import { type BackendUnderTest, describeEachBackend, postgres } from './support/backends.ts';
import { memoryLogger, prediction, waitFor } from './support/records.ts';
import { switchableClient } from './support/switchable-client.ts';

/**
 * A log over a migrated database of the backend under test, through a client the test can take down or make
 * refuse COPY; a retry waits a minute unless `retryIntervalMs` says otherwise, so a test decides when.
 */
async function logOnSwitchableClient(
  current: BackendUnderTest,
  logger: ReturnType<typeof memoryLogger>,
  {
    batchRows,
    retryIntervalMs = 60_000,
    maxQueueRows = 10_000,
    spoolDir = current.spoolDir,
    spool: spoolOptions,
    durability = 'buffered',
  }: {
    batchRows: number;
    retryIntervalMs?: number;
    maxQueueRows?: number;
    spoolDir?: string;
    spool?: SpoolOptions;
    durability?: Durability;
  },
) {
  const client = switchableClient(await openSqlClient(current.backend.name, current.db.options, logger));
  await migrate(client);
  const log = new BatchingPredictionLog({
    client,
    spool: await Spool.open(spoolDir, logger, spoolOptions),
    logger,
    schemaReady: true,
    maxQueueRows,
    batchRows,
    flushIntervalMs: 5,
    retryIntervalMs,
    durability,
    now: () => new Date(),
  });
  return { client, log };
}

describeEachBackend('prediction log on $name', (current) => {
  it('stores every row of every request once, with its columns, off the request path', async () => {
    const log = await openPredictionLog({
      ...current.db.options,
      spoolDir: current.spoolDir,
      logger: memoryLogger(),
    });
    const batchRequest = [prediction('multi', 90), prediction('multi', 150), prediction('multi', 200)];
    log.record([prediction('single', 120)]);
    log.record(batchRequest);
    expect(log.metrics()).toMatchObject({ queued: 4, written: 0 });
    await log.close();
    expect(log.metrics()).toMatchObject({ queued: 4, written: 4, spooled: 0, dropped: 0 });

    const rows = await current.db.query<Record<string, unknown>>(
      `SELECT request_id, row_index, model_name, model_version, inputs, prediction, label, probability,
              risk_level, latency_ms, predicted_at, observed_outcome
       FROM predictions ORDER BY id`,
    );
    expect(rows.map((row) => [row.request_id, row.row_index])).toEqual([
      ['single', 0],
      ['multi', 0],
      ['multi', 1],
      ['multi', 2],
    ]);
    const second = rows[2]!;
    expect(second).toMatchObject({
      model_name: 'pima-diabetes',
      model_version: '1.0.0',
      inputs: batchRequest[1]!.inputs,
      prediction: 1,
      label: 'pos',
      probability: 0.6,
      risk_level: 'high',
      latency_ms: 0.25,
      observed_outcome: null,
    });
    expect((second.predicted_at as Date).getTime()).toBe(batchRequest[1]!.time.getTime());
  });

  it('stores text and numbers exactly as given, tabs, backslashes and line breaks included, by COPY and by INSERT', async () => {
    const client = await openSqlClient(current.backend.name, current.db.options, memoryLogger());
    await migrate(client);
    const awkward = { ...prediction('tab\there back\\slash\\t new\nline\r\\N'), modelVersion: '1.0\t.0\\' };
    awkward.outputs = { ...awkward.outputs, probability: 1.5e-7 };
    awkward.inputs = { ...awkward.inputs, pedigree: 1e-300 };
    // The live path and the replay path, each on its own row: neither may lean on the other's fallback.
    expect(await client.copyIn(COPY_TARGET, copyText([rowValues(awkward, 0)]))).toBe(1);
    await client.query(INSERT_BATCH_SQL, [batchJson([rowJson(rowValues(awkward, 1))])]);
    const { rows } = await client.query<Record<string, unknown>>(
      'SELECT request_id, row_index, model_version, probability, inputs FROM predictions ORDER BY row_index',
    );
    await client.close();
    const stored = { request_id: awkward.requestId, model_version: awkward.modelVersion };
    expect(rows).toEqual([
      { ...stored, row_index: 0, probability: 1.5e-7, inputs: awkward.inputs },
      { ...stored, row_index: 1, probability: 1.5e-7, inputs: awkward.inputs },
    ]);
  });

  it('keeps both predictions when a client reuses a request id: each row has its own id', async () => {
    const log = await openPredictionLog({
      ...current.db.options,
      spoolDir: current.spoolDir,
      logger: memoryLogger(),
    });
    log.record([prediction('same-id', 100)]);
    await log.flush();
    log.record([prediction('same-id', 180)]);
    await log.close();
    expect(log.metrics()).toMatchObject({ written: 2, duplicates: 0, dropped: 0 });
    const rows = await current.db.query<{ id: string; glucose: number }>(
      `SELECT id, (inputs->>'glucose')::int AS glucose FROM predictions WHERE request_id = 'same-id' ORDER BY id`,
    );
    expect(rows.map((row) => row.glucose)).toEqual([100, 180]);
    expect(rows[0]!.id).not.toBe(rows[1]!.id);
  });

  it('flushes what was recorded before the call, and is not held up by what keeps arriving', async () => {
    const log = await openPredictionLog({
      ...current.db.options,
      spoolDir: current.spoolDir,
      logger: memoryLogger(),
      flushIntervalMs: 10_000,
    });
    // This is about flushing into an open database: while it opens, such traffic spills to the spool.
    await log.opened();
    for (let i = 0; i < 200; i++) log.record([prediction(`before-${i}`)]);
    // Traffic on every turn of the event loop, as under load, for as long as the flush takes.
    let next = 0;
    let busy = true;
    const traffic = () => {
      if (!busy) return;
      log.record([prediction(`during-${next++}`)]);
      setImmediate(traffic);
    };
    traffic();
    try {
      await log.flush();
      const rows = await log.reader!.loggedInputs({
        modelName: 'pima-diabetes',
        modelVersion: '1.0.0',
        limit: 1,
      });
      expect(rows.total).toBeGreaterThanOrEqual(200);
    } finally {
      busy = false;
      await log.close();
    }
  });

  it('applies the migrations once, however often and however concurrently the log is opened', async () => {
    const openers = current.backend.name === 'postgres' ? 4 : 1;
    const open = async () => {
      const dir = await mkdtemp(join(current.spoolDir, 'instance-'));
      return openPredictionLog({ ...current.db.options, spoolDir: dir, logger: memoryLogger() });
    };
    const instances = await Promise.all(Array.from({ length: openers }, open));
    await Promise.all(instances.map((instance) => instance.close()));
    await (await open()).close();
    const applied = await current.db.query<{ version: number }>(
      'SELECT version FROM prediction_log_migrations',
    );
    expect(applied).toEqual(MIGRATIONS.map(({ version }) => ({ version })));
  });

  it('reads without writing: a reader refuses a database that holds no log instead of creating one', async () => {
    await expect(openPredictionLogReader(current.db.options)).rejects.toThrow(
      'this database holds no prediction log yet',
    );
    const tables = await current.db.query("SELECT 1 FROM pg_tables WHERE tablename LIKE 'prediction%'");
    expect(tables).toEqual([]);
  });

  it('spools while the database is unavailable and replays in order, exactly once, when it is back', async () => {
    const logger = memoryLogger();
    const { client, log } = await logOnSwitchableClient(current, logger, {
      batchRows: 25,
      retryIntervalMs: 50,
    });
    log.record([prediction('before-0')]);
    await log.flush();

    client.down = true;
    for (let i = 0; i < 100; i++) log.record([prediction(`during-${i}`)]);
    await log.flush();
    expect(log.state().state).toBe('degraded');
    expect(log.state().detail).toContain('ECONNREFUSED');
    expect(log.metrics()).toMatchObject({ written: 1, spooled: 100, dropped: 0 });
    expect((await readdir(current.spoolDir)).some((name) => name.endsWith('.spool'))).toBe(true);

    client.down = false;
    await waitFor('the spool to be replayed', () => log.state().state === 'ok');
    log.record([prediction('after-0')]);
    await log.close();

    expect(log.metrics()).toMatchObject({
      written: 2,
      spooled: 100,
      replayed: 100,
      duplicates: 0,
      dropped: 0,
    });
    const ids = (
      await current.db.query<{ request_id: string }>('SELECT request_id FROM predictions ORDER BY id')
    ).map((row) => row.request_id);
    expect(ids).toEqual(['before-0', ...Array.from({ length: 100 }, (_, i) => `during-${i}`), 'after-0']);
    expect(logger.lines.map((line) => line.msg)).toEqual([
      'prediction log: database unavailable, spooling to disk',
      'prediction log: database available again',
    ]);
  });

  it('writes by INSERT, for good, after batches in a row whose COPY was refused while INSERT worked, losing nothing', async () => {
    const logger = memoryLogger();
    const { client, log } = await logOnSwitchableClient(current, logger, { batchRows: 10 });
    log.record([prediction('copied')]);
    await log.flush();
    client.refuseCopy = true;
    for (let i = 0; i < 50; i++) log.record([prediction(`inserted-${i}`)]);
    await log.close();

    // The first batch, then three refused: the last two batches are not offered to COPY.
    expect(client.copies).toBe(4);
    expect(log.metrics()).toMatchObject({ written: 51, spooled: 0, duplicates: 0, dropped: 0 });
    const rows = await current.db.query<{ n: number }>('SELECT count(*)::int AS n FROM predictions');
    expect(rows).toEqual([{ n: 51 }]);
    expect(logger.lines.filter((line) => line.level === 'warn')).toEqual([
      expect.objectContaining({
        msg: 'prediction log: the database refuses COPY but takes INSERT; inserting from now on',
      }),
    ]);
  });

  it('replays at startup what a previous process spooled, skipping rows an interrupted replay already stored', async () => {
    const logger = memoryLogger();
    const { client, log: previous } = await logOnSwitchableClient(current, logger, { batchRows: 10 });
    client.down = true;
    for (let i = 0; i < 30; i++) previous.record([prediction(`spooled-${i}`)]);
    await previous.close();
    expect(previous.metrics()).toMatchObject({ spooled: 30, written: 0 });
    // As if that process had begun replaying and died after the first batch of 10 reached the table.
    const segment = await readFile(
      join(current.spoolDir, (await readdir(current.spoolDir)).find((name) => name.endsWith('.spool'))!),
    );
    const [firstBatch] = decodeRecords(segment) as Generator<SpoolRecord>;
    await current.db.query(INSERT_BATCH_SQL, [firstBatch!.payload]);

    const next = await openPredictionLog({ ...current.db.options, spoolDir: current.spoolDir, logger });
    await waitFor('the startup replay', () => next.state().state === 'ok');
    await next.close();
    expect(next.metrics()).toMatchObject({ replayed: 20, duplicates: 10, dropped: 0 });
    const rows = await current.db.query<{ n: number; distinct: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT request_id)::int AS distinct FROM predictions',
    );
    expect(rows).toEqual([{ n: 30, distinct: 30 }]);
    expect((await readdir(current.spoolDir)).filter((name) => name.endsWith('.jsonl'))).toEqual([]);
  });

  it('counts rows it cannot keep as dropped, with an error, when the database is down and the spool is full', async () => {
    const logger = memoryLogger();
    const { client, log } = await logOnSwitchableClient(current, logger, {
      batchRows: 5,
      spool: { maxBytes: 2000 },
    });
    client.down = true;
    for (let i = 0; i < 50; i++) log.record([prediction(`full-${i}`)]);
    await log.close();
    const { spooled, dropped } = log.metrics();
    expect(spooled).toBeGreaterThan(0);
    expect(dropped).toBeGreaterThan(0);
    expect(spooled + dropped).toBe(50);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: 'prediction log: could not write the spool; predictions lost',
      }),
    );
  });

  it('drops only the row the database refuses, writes the rest of its batch, and says which', async () => {
    const logger = memoryLogger();
    const log = await openPredictionLog({ ...current.db.options, spoolDir: current.spoolDir, logger });
    // PostgreSQL's jsonb refuses the NUL character (SQLSTATE 22P05): a row no retry can ever store.
    log.record([prediction('good-1'), prediction('bad-\u0000'), prediction('good-2')]);
    await log.close();
    expect(log.metrics()).toMatchObject({ written: 2, dropped: 1, spooled: 0 });
    const ids = await current.db.query<{ request_id: string }>(
      'SELECT request_id FROM predictions ORDER BY id',
    );
    expect(ids.map((row) => row.request_id)).toEqual(['good-1', 'good-2']);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: 'prediction log: the database refused a prediction row; not logged',
      }),
    );
  });

  it('spills the oldest rows to the spool while the database falls behind, and loses none', async () => {
    const { client, log } = await logOnSwitchableClient(current, memoryLogger(), {
      batchRows: 50,
      maxQueueRows: 400,
    });
    client.hold();
    for (let i = 0; i < 1000; i++) {
      // Traffic the spill keeps pace with: it never finds the log more than three quarters full.
      if (log.metrics().queueRows > 300) await waitFor('the spill', () => log.metrics().queueRows <= 300);
      log.record([prediction(`burst-${i}`)]);
    }
    client.release();
    await log.close();
    const metrics = log.metrics();
    expect(metrics.spooled).toBeGreaterThan(0);
    expect(metrics).toMatchObject({ queued: 1000, dropped: 0 });
    expect(metrics.written + metrics.replayed).toBe(1000);
    const count = await current.db.query<{ n: number }>(
      'SELECT count(DISTINCT request_id)::int AS n FROM predictions',
    );
    expect(count).toEqual([{ n: 1000 }]);
  });

  it('refuses records after close and counts them as dropped', async () => {
    const logger = memoryLogger();
    const log = await openPredictionLog({ ...current.db.options, spoolDir: current.spoolDir, logger });
    await log.close();
    log.record([prediction('late')]);
    expect(log.metrics().dropped).toBe(1);
    expect(logger.lines.at(-1)).toMatchObject({ level: 'error', fields: { rows: 1 } });
  });
});

describe.skipIf(postgres.unavailable)('reading the log on PostgreSQL with a read-only login', () => {
  it('computes drift with nothing but SELECT granted', async () => {
    const db = await postgres.create();
    const spoolDir = await mkdtemp(join(tmpdir(), 'glyco-spool-'));
    const role = `glyco_reader_${process.pid}`;
    try {
      const log = await openPredictionLog({ ...db.options, spoolDir });
      log.record([prediction('read-only-1')]);
      await log.close();
      await db.query(`CREATE ROLE ${role} LOGIN`);
      await db.query(`GRANT SELECT ON predictions, prediction_log_migrations TO ${role}`);
      const url = new URL(db.options.database!.url!);
      url.username = role;
      const reader = await openPredictionLogReader({ database: { url: url.toString() } });
      const window = { modelName: 'pima-diabetes', modelVersion: '1.0.0', limit: 10 };
      expect((await reader.reader.loggedInputs(window)).total).toBe(1);
      await reader.close();
    } finally {
      await db.drop();
      await db.query(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
      await rm(spoolDir, { recursive: true, force: true });
    }
  });
});
