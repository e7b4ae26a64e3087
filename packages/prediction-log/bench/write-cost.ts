/**
 * What writing the prediction log costs per row with the table partitioned by month (migration 4), against the
 * same rows written to the table as it was before (migrations 1-3), in the same run: this process's CPU (the
 * log's queueing, row values, COPY text and driver; with PGlite, the database too, on its thread) and, for
 * PostgreSQL, the CPU of every process of the database server (read from /proc, so the server must run on
 * this machine), and rows/s. Rounds are interleaved so that background load hits every variant alike; the
 * figures are medians. Prints figures, asserts nothing.
 *
 *   node bench/write-cost.ts              # PGlite, and PostgreSQL at BENCH_DATABASE_URL or TEST_DATABASE_URL
 *   BENCH_ROWS=200000 BENCH_ROUNDS=5 BENCH_BACKENDS=postgres node bench/write-cost.ts
 *   BENCH_EARLIER_SRC=<dir> node bench/write-cost.ts   # also an earlier release's src/ (git archive), as it
 *                                                       # migrates and writes a database of its own
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@glyco/logger';
import pg from 'pg';
import { openPredictionLog, type PredictionRecord } from '../src/index.ts';
import { MIGRATIONS } from '../src/migrations.ts';
import { openSqlClient } from '../src/open-database.ts';
import { prediction } from '../test/support/records.ts';

/** Rows handed over per turn of the event loop: 32 single-row requests, as `pnpm bench`'s 32 connections. */
const PER_TURN = 32;
const ROWS = Math.ceil(Number(process.env.BENCH_ROWS ?? 100_000) / PER_TURN) * PER_TURN;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const serverUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
const silent = createLogger({ level: 'silent', write: () => {} });

type Layout = 'unpartitioned' | 'partitioned' | 'earlier release';
type OpenLog = typeof openPredictionLog;
const earlierSrc = process.env.BENCH_EARLIER_SRC;
type Backend = 'pglite' | 'postgres';

interface Target {
  backend: Backend;
  layout: Layout;
  open: OpenLog;
  options: Parameters<typeof openPredictionLog>[0];
  /** CPU ms of the database server's processes so far (PostgreSQL), else 0. */
  databaseCpu(): number;
  drop(): Promise<void>;
}

/** The table as migrations 1-3 left it, recorded as migrated so that the log writes to it as it is. */
const UNPARTITIONED = `
  CREATE TABLE prediction_log_migrations (
    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
  ${MIGRATIONS.slice(0, 3)
    .map((migration) => migration.sql)
    .join('\n')}
  INSERT INTO prediction_log_migrations (version, name) VALUES (1, '1'), (2, '2'), (3, '3'), (4, 'left out');`;

async function target(backend: Backend, layout: Layout): Promise<Target> {
  const open: OpenLog =
    layout === 'earlier release'
      ? ((await import(join(earlierSrc!, 'index.ts'))) as { openPredictionLog: OpenLog }).openPredictionLog
      : openPredictionLog;
  if (backend === 'pglite') {
    const dir = await mkdtemp(join(tmpdir(), 'glyco-write-bench-'));
    const options = { dataDir: join(dir, 'data'), spoolDir: join(dir, 'spool') };
    if (layout === 'unpartitioned') {
      const client = await openSqlClient('pglite', options, silent);
      await client.exec(UNPARTITIONED);
      await client.close();
    }
    return { backend, layout, open, options, databaseCpu: () => 0, drop: () => rm(dir, { recursive: true }) };
  }
  const name = `glyco_write_bench_${layout.replace(/\W/g, '_')}_${process.pid}`;
  await onServer(serverUrl!, `DROP DATABASE IF EXISTS ${name}`);
  await onServer(serverUrl!, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl!);
  url.pathname = `/${name}`;
  if (layout === 'unpartitioned') await onServer(url.toString(), UNPARTITIONED);
  const dataDirectory = (await onServer(serverUrl!, 'SHOW data_directory'))[0]!.data_directory as string;
  const postmaster = Number(readFileSync(join(dataDirectory, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const spoolDir = await mkdtemp(join(tmpdir(), 'glyco-write-bench-spool-'));
  return {
    backend,
    layout,
    open,
    options: { database: { url: url.toString() }, spoolDir },
    databaseCpu: () => clusterCpuMillis(postmaster),
    drop: async () => {
      await onServer(serverUrl!, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await rm(spoolDir, { recursive: true });
    },
  };
}

async function onServer(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/** CPU ms (user + system) of a process from /proc. */
function cpuMillis(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** The postmaster and its children (backends, WAL writer, checkpointer…). */
function clusterCpuMillis(postmaster: number): number {
  let total = cpuMillis(postmaster);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const parent = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      if (parent === postmaster) total += cpuMillis(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

interface Round {
  rowsPerSecond: number;
  processMicrosPerRow: number;
  databaseMicrosPerRow: number;
}

/** One round: ROWS single-row records handed over PER_TURN per event-loop turn, then waited for. */
async function round(where: Target): Promise<Round> {
  // Room for the whole round in memory: the bench measures writing, not spilling to the spool when the
  // database falls behind a producer that never waits.
  const log = await where.open({
    ...where.options,
    logger: silent,
    upkeepIntervalMs: 3_600_000,
    maxQueueRows: 4 * ROWS,
  });
  await log.opened();
  const template = prediction('bench');
  const records: PredictionRecord[] = [];
  for (let i = 0; i < PER_TURN; i++) records.push({ ...template, requestId: `bench-${i}` });
  const cpuBefore = process.cpuUsage();
  const databaseBefore = where.databaseCpu();
  const started = performance.now();
  for (let sent = 0; sent < ROWS; sent += PER_TURN) {
    const time = new Date();
    log.record(records.map((record) => ({ ...record, time })));
    await new Promise(setImmediate);
  }
  await log.flush();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const databaseMs = where.databaseCpu() - databaseBefore;
  const { written, dropped, spooled } = log.metrics();
  await log.close();
  if (written !== ROWS || dropped + spooled > 0) {
    throw new Error(
      `${where.backend} ${where.layout}: ${written} written, ${spooled} spooled, ${dropped} dropped`,
    );
  }
  return {
    rowsPerSecond: ROWS / seconds,
    processMicrosPerRow: (cpu.user + cpu.system) / ROWS,
    databaseMicrosPerRow: (databaseMs * 1000) / ROWS,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const backends = (process.env.BENCH_BACKENDS?.split(',') ?? ['pglite', 'postgres']).filter(
  (backend): backend is Backend => backend === 'pglite' || (backend === 'postgres' && !!serverUrl),
);
if (!serverUrl) console.error('no BENCH_DATABASE_URL or TEST_DATABASE_URL: PGlite only');
console.log(`load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
console.log(
  `${ROWS} single-row records a round, ${PER_TURN} per event-loop turn, ${ROUNDS} interleaved rounds`,
);
console.log('| backend | table | rows/s | this process, µs/row | database server, µs/row |');
console.log('| --- | --- | ---: | ---: | ---: |');
for (const backend of backends) {
  const layouts: Layout[] = [
    'unpartitioned',
    'partitioned',
    ...(earlierSrc ? (['earlier release'] as const) : []),
  ];
  const targets = await Promise.all(layouts.map((layout) => target(backend, layout)));
  const rounds = new Map<Target, Round[]>(targets.map((t) => [t, []]));
  // A first round of each warms the JIT and the database's caches; it is not counted.
  for (const t of targets) await round(t);
  for (let r = 0; r < ROUNDS; r++) for (const t of targets) rounds.get(t)!.push(await round(t));
  for (const t of targets) {
    const results = rounds.get(t)!;
    const figures = [
      Math.round(median(results.map((x) => x.rowsPerSecond))).toLocaleString('en'),
      median(results.map((x) => x.processMicrosPerRow)).toFixed(2),
      backend === 'postgres' ? median(results.map((x) => x.databaseMicrosPerRow)).toFixed(2) : '–',
    ];
    console.log(`| ${backend} | ${t.layout} | ${figures.join(' | ')} |`);
    await t.drop();
  }
}
console.log(`load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
