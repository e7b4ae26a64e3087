import { open } from 'node:fs/promises';
import pg from 'pg';
import { expect, it, onTestFinished } from 'vitest';
import { BatchingPredictionLog } from '../src/batching-log.ts';
import { openPredictionLog, type PredictionLogMetrics } from '../src/index.ts';
import { migrate } from '../src/migrations.ts';
import { openSqlClient } from '../src/open-database.ts';
import { type OpenSegmentFile, Spool } from '../src/spool.ts';
import { type Durability, PredictionNotLoggedError } from '../src/types.ts';
import { type BackendUnderTest, describeEachBackend } from './support/backends.ts';
import { itWithMount, makeReadOnly, mountTmpfs } from './support/filesystems.ts';
import { memoryLogger, prediction, waitFor } from './support/records.ts';
import { switchableClient } from './support/switchable-client.ts';

/**
 * The log under the faults a load test found (issue 18): a spool disk that fills up or turns read-only, a disk
 * slower than the traffic while the table is locked, and strict durability. Every test ends with the account
 * that must always hold: every row handed to the log is in the table or counted as dropped.
 */

async function logOn(
  current: BackendUnderTest,
  options: {
    spoolDir?: string;
    maxQueueRows?: number;
    batchRows?: number;
    durability?: Durability;
    openFile?: OpenSegmentFile;
    logger?: ReturnType<typeof memoryLogger>;
  } = {},
) {
  const logger = options.logger ?? memoryLogger();
  const client = switchableClient(await openSqlClient(current.backend.name, current.db.options, logger));
  await migrate(client);
  const log = new BatchingPredictionLog({
    client,
    spool: await Spool.open(options.spoolDir ?? current.spoolDir, logger, { openFile: options.openFile }),
    logger,
    schemaReady: true,
    maxQueueRows: options.maxQueueRows ?? 10_000,
    batchRows: options.batchRows ?? 100,
    flushIntervalMs: 5,
    retryIntervalMs: 50,
    durability: options.durability ?? 'buffered',
    now: () => new Date(),
  });
  return { client, log, logger };
}

async function rowsInTable(current: BackendUnderTest): Promise<number> {
  const [row] = await current.db.query<{ n: number }>('SELECT count(*)::int AS n FROM predictions');
  return row!.n;
}

/** Requests of `rowsEach` rows, each with its own request id. */
const requests = (prefix: string, count: number, rowsEach = 1) =>
  Array.from({ length: count }, (_, i) =>
    Array.from({ length: rowsEach }, () => prediction(`${prefix}-${i}`)),
  );

/** The account of a closed log whose spool is empty: what was handed over is in the table or dropped. */
async function expectAccounted(current: BackendUnderTest, metrics: PredictionLogMetrics) {
  expect(metrics.queueRows).toBe(0);
  expect(metrics.spoolBytes).toBe(0);
  expect(metrics.written + metrics.replayed).toBe(metrics.queued - metrics.dropped);
  expect(await rowsInTable(current)).toBe(metrics.queued - metrics.dropped);
}

/** Segment files whose fsync takes `ms` longer: a slow disk. */
const slowDisk =
  (ms: number): OpenSegmentFile =>
  async (path) => {
    const file = await open(path, 'a');
    return {
      write: (data, offset, length) => file.write(data, offset, length),
      datasync: async () => {
        await new Promise((resolve) => setTimeout(resolve, ms));
        await file.datasync();
      },
      truncate: (length) => file.truncate(length),
      close: () => file.close(),
    };
  };

/**
 * Records requests of 10 rows as fast as a busy server for `ms`, yielding between requests, and returns the
 * most rows the log held in memory at any moment.
 */
async function flood(log: BatchingPredictionLog, ms: number): Promise<number> {
  let most = 0;
  const until = performance.now() + ms;
  for (let i = 0; performance.now() < until; i++) {
    log.record(requests(`flood-${i}`, 1, 10)[0]!);
    most = Math.max(most, log.metrics().queueRows);
    if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return most;
}

describeEachBackend('the prediction log under faults, on $name', (current) => {
  itWithMount(
    'counts every row a full disk refused and replays every row it took: none silently lost',
    async () => {
      const disk = await mountTmpfs(1024 * 1024);
      onTestFinished(() => disk.unmount());
      const { client, log } = await logOn(current, { spoolDir: disk.dir, batchRows: 50 });
      client.down = true;
      // ~2 MB of rows for a 1 MiB disk.
      for (const request of requests('full', 700, 10)) log.record(request);
      await log.close();
      const first = log.metrics();
      expect(first.spooled).toBeGreaterThan(0);
      expect(first.dropped).toBeGreaterThan(0);
      expect(first.spooled + first.dropped).toBe(7000);

      const next = await openPredictionLog({
        ...current.db.options,
        spoolDir: disk.dir,
        logger: memoryLogger(),
      });
      await waitFor('the replay', () => next.state().state === 'ok');
      await next.close();
      expect(next.metrics()).toMatchObject({ replayed: first.spooled, duplicates: 0, dropped: 0 });
      expect(await rowsInTable(current)).toBe(7000 - first.dropped);
    },
    60_000,
  );

  itWithMount('writes to a database that is back although the spool directory turned read-only', async () => {
    const { client, log, logger } = await logOn(current, { batchRows: 20 });
    client.down = true;
    for (const request of requests('outage', 100)) log.record(request);
    await log.flush();
    expect(log.metrics().spooled).toBe(100);
    const writable = await makeReadOnly(current.spoolDir);
    try {
      client.down = false;
      await waitFor('the database', () => log.state().state === 'ok');
      expect(log.metrics()).toMatchObject({ replayed: 100, dropped: 0 });
      for (const request of requests('after', 500)) log.record(request);
      await log.flush();
      expect(log.metrics()).toMatchObject({ written: 500, dropped: 0 });

      // Another outage: the read-only spool takes nothing, and says so; the database back, all is well again.
      client.down = true;
      for (const request of requests('second-outage', 50)) log.record(request);
      await log.flush();
      expect(log.metrics()).toMatchObject({ spooled: 100, dropped: 50 });
      client.down = false;
      await waitFor('the database', () => log.state().state === 'ok');
      for (const request of requests('later', 30)) log.record(request);
      await log.close();
    } finally {
      await writable();
    }
    expect(log.metrics()).toMatchObject({ written: 530, dropped: 50 });
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: expect.stringMatching(/cannot be deleted/) }),
    );
    await expectAccounted(current, log.metrics());
  });

  it('holds no more rows in memory than its bound when the table is stuck and the disk is slow', async () => {
    const { client, log } = await logOn(current, { maxQueueRows: 2000, openFile: slowDisk(100) });
    client.hold();
    const most = await flood(log, 1500);
    expect(most).toBeLessThanOrEqual(2000);
    expect(log.metrics().dropped).toBeGreaterThan(0);
    client.release();
    await log.close();
    await expectAccounted(current, log.metrics());
  }, 60_000);

  it('answers a strict record once its rows are in the table, many records to one write', async () => {
    const { client, log } = await logOn(current, { durability: 'strict', batchRows: 1000 });
    const answered = await Promise.all(requests('strict', 200).map((request) => log.record(request)));
    expect(answered).toHaveLength(200);
    expect(log.metrics()).toMatchObject({ written: 200, queueRows: 0 });
    // Group commit: the requests of one turn of the event loop share a write.
    expect(client.copies).toBe(1);
    await log.close();
    await expectAccounted(current, log.metrics());
  });

  it('answers a strict record while the database is away once its rows are fsync’d in the spool', async () => {
    const { client, log } = await logOn(current, { durability: 'strict' });
    client.down = true;
    await Promise.all(requests('spooled', 50).map((request) => log.record(request)));
    expect(log.metrics()).toMatchObject({ spooled: 50, written: 0, dropped: 0 });
    client.down = false;
    await log.close();
    await expectAccounted(current, log.metrics());
  });

  itWithMount('refuses a strict record that neither the database nor the spool could keep', async () => {
    const { client, log } = await logOn(current, { durability: 'strict' });
    const writable = await makeReadOnly(current.spoolDir);
    try {
      client.down = true;
      const refused = await Promise.allSettled(requests('nowhere', 5).map((request) => log.record(request)));
      for (const outcome of refused) {
        expect(outcome).toMatchObject({ status: 'rejected', reason: expect.any(PredictionNotLoggedError) });
      }
      expect(log.metrics().dropped).toBe(5);
      client.down = false;
      await waitFor('the database', () => log.state().state === 'ok');
      await log.record(requests('back', 1)[0]!);
      await log.close();
    } finally {
      await writable();
    }
    await expectAccounted(current, log.metrics());
  });

  it('refuses strict records past its bound at once, rather than holding them', async () => {
    const { client, log } = await logOn(current, {
      durability: 'strict',
      maxQueueRows: 100,
      openFile: slowDisk(200),
    });
    client.hold();
    const outcomes = Promise.allSettled(requests('bounded', 300).map((request) => log.record(request)));
    expect(log.metrics().queueRows).toBeLessThanOrEqual(100);
    client.release();
    const settled = await outcomes;
    const refused = settled.filter((outcome) => outcome.status === 'rejected');
    expect(refused.length).toBe(log.metrics().dropped);
    expect(refused.length).toBeGreaterThan(0);
    await log.close();
    await expectAccounted(current, log.metrics());
  });
});

describeEachBackend('the prediction log behind a locked table, on $name', (current) => {
  it.runIf(current.backend.name === 'postgres')(
    'holds no more rows in memory than its bound while another session locks the table, on a real disk',
    async () => {
      const { log } = await logOn(current, { maxQueueRows: 5000, batchRows: 500 });
      const locker = new pg.Client({ connectionString: current.db.options.database!.url });
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE predictions IN ACCESS EXCLUSIVE MODE');
      let most = 0;
      try {
        most = await flood(log, 2000);
      } finally {
        await locker.query('COMMIT');
        await locker.end();
      }
      expect(most).toBeLessThanOrEqual(5000);
      await log.close();
      expect(log.metrics().spooled).toBeGreaterThan(0);
      await expectAccounted(current, log.metrics());
    },
    60_000,
  );
});
