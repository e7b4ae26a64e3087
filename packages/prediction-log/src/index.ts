import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createLogger } from '@glyco/logger';
import { BatchingPredictionLog } from './batching-log.ts';
import { PredictionLogConfigError } from './config-error.ts';
import { NO_METRICS, type PredictionLogMetrics } from './metrics.ts';
import { schemaVersion } from './migrations.ts';
import {
  backendOf,
  type DatabaseOptions,
  DEFAULT_DATA_DIR,
  openSqlClient,
  type PredictionLogBackend,
  positiveInteger,
} from './open-database.ts';
import { keepPartitions, type UpkeepReport } from './partitions.ts';
import { createPredictionLogReader, type PredictionLogReader } from './reader.ts';
import { DEFAULT_MAX_SPOOL_BYTES, Spool, SpoolDirectoryError } from './spool.ts';
import type { SqlClient } from './sql-client.ts';
import { type Durability, disabledPredictionLog, type PredictionLog } from './types.ts';
import { PartitionUpkeep } from './upkeep.ts';

export { PredictionLogConfigError } from './config-error.ts';
export { awsSecretReader, type SecretReader } from './database-secret.ts';
export { DirectoryInUseError } from './dir-lock.ts';
export type { LivePerformance } from './drift/live-performance.ts';
export { type DriftReport, driftReport, type FeatureDrift } from './drift/report.ts';
export { formatDriftTable } from './drift/table.ts';
export { parseTimeBound, TimeBoundError } from './drift/time-window.ts';
export {
  allLabelledRows,
  type LabelledOutcome,
  type LabelledRow,
  type LabelledRowsQuery,
} from './labelled-rows.ts';
export { DEFAULT_DRIFT_ROWS, type DriftWindow, loggedDrift } from './logged-drift.ts';
export { NO_METRICS, type PredictionLogMetrics, renderPrometheus } from './metrics.ts';
export { type DatabaseOptions, DEFAULT_DATA_DIR, type PredictionLogBackend } from './open-database.ts';
export type { UpkeepReport } from './partitions.ts';
export type { LabelledPrediction, LogWindow, ObservedOutcome, PredictionLogReader } from './reader.ts';
export { isRejectedData } from './sql-client.ts';
export * from './types.ts';
export { uuidV7Source } from './uuid-v7.ts';

/** Without the app's logger: warnings and errors as JSON lines on stderr. */
const stderrLogger = createLogger({ level: 'warn', write: (chunk) => process.stderr.write(chunk) });

export interface PredictionLogOptions extends DatabaseOptions {
  /** Where batches wait while the database is unavailable; default beside PGlite's data dir, else `$TMPDIR/glyco-spool`. */
  spoolDir?: string | undefined;
  /** Bytes the spool may hold at most; past it, batches are dropped (and counted); default 256 MiB. */
  maxSpoolBytes?: number | undefined;
  /**
   * Rows held in memory at most (tens of MB at the default 50 000): past half of it the oldest spill to the
   * spool, past all of it records are dropped and counted (refused, in strict mode).
   */
  maxQueueRows?: number | undefined;
  /** `buffered` (default) or `strict`: see `Durability`. */
  durability?: Durability | undefined;
  /** Rows per insert at most; default 2000. */
  batchRows?: number | undefined;
  /** How long a partial batch waits before it is written; default 50 ms. */
  flushIntervalMs?: number | undefined;
  /** First wait before retrying an unavailable database (doubling up to 5 s); default 500 ms. */
  retryIntervalMs?: number | undefined;
  /**
   * Whole months of rows kept before the current month (PREDICTION_LOG_RETENTION_MONTHS): older months'
   * partitions are dropped by the log's upkeep. Undefined (the default) keeps every row.
   */
  retentionMonths?: number | undefined;
  /** How often the partitions are looked after (months made ahead, expired ones dropped); default an hour. */
  upkeepIntervalMs?: number | undefined;
  /** The clock that says which month it is; tests move it. */
  now?: (() => Date) | undefined;
}

/** The log as the app holds it: the seam, plus its metrics and the queries behind feedback and drift. */
export interface ServedPredictionLog extends PredictionLog {
  metrics(): PredictionLogMetrics;
  /** Undefined when the log is off. */
  readonly reader: PredictionLogReader | undefined;
}

export interface OpenedPredictionLog extends ServedPredictionLog {
  readonly backend: PredictionLogBackend;
  /**
   * Resolves once the database is open and migrated (at once when the log is off); rejects while it is
   * unavailable. The reader's queries wait for it the same way.
   */
  opened(): Promise<void>;
}

/**
 * Opens the prediction log the options describe, without waiting for its database: it resolves once records
 * can be taken (settings checked, the embedded database's directory claimed, the spool open, a database secret
 * read), while the database opens and the schema migrates in the background; records wait in memory (and past
 * `maxQueueRows`, in the spool) meanwhile, and `state()` says `starting`. A database that cannot be reached
 * does not stop the app: the log turns degraded, spools, and migrates once the database answers. Wrong
 * settings fail here (PredictionLogConfigError, DirectoryInUseError), with a message that says which.
 */
export async function openPredictionLog(options: PredictionLogOptions = {}): Promise<OpenedPredictionLog> {
  const backend = backendOf(options);
  if (backend === 'off') {
    return {
      ...disabledPredictionLog,
      backend,
      opened: async () => {},
      metrics: () => NO_METRICS,
      reader: undefined,
    };
  }
  const logger = options.logger ?? stderrLogger;
  const settings = {
    maxQueueRows: positiveInteger(options.maxQueueRows, 50_000, 'maxQueueRows'),
    batchRows: positiveInteger(options.batchRows, 2000, 'batchRows'),
    flushIntervalMs: positiveInteger(options.flushIntervalMs, 50, 'flushIntervalMs'),
    retryIntervalMs: positiveInteger(options.retryIntervalMs, 500, 'retryIntervalMs'),
  };
  const retentionMonths = retentionSetting(options.retentionMonths);
  const now = options.now ?? (() => new Date());
  const upkeepIntervalMs = positiveInteger(options.upkeepIntervalMs, 3_600_000, 'upkeepIntervalMs');
  const spoolOptions = {
    maxBytes: positiveInteger(options.maxSpoolBytes, DEFAULT_MAX_SPOOL_BYTES, 'maxSpoolBytes'),
  };
  const durability = options.durability ?? 'buffered';
  // The spool first: a directory it cannot use fails at once, before a database is opened for nothing.
  const spool = await Spool.open(
    options.spoolDir ?? defaultSpoolDir(backend, options.dataDir),
    logger,
    spoolOptions,
  ).catch((error: unknown) => {
    if (!(error instanceof SpoolDirectoryError) || options.spoolDir) throw error;
    throw new SpoolDirectoryError(`${error.message}. ${SPOOL_LOCATION[backend]}`);
  });
  let client: SqlClient;
  try {
    client = await openSqlClient(backend, options, logger);
  } catch (error) {
    await spool.close();
    throw error;
  }
  // The schema is migrated by the log's first write, in the background: the app serves meanwhile.
  const log = new BatchingPredictionLog({
    client,
    spool,
    logger,
    schemaReady: false,
    durability,
    now,
    ...settings,
  });
  const upkeep = new PartitionUpkeep({
    client,
    logger,
    opened: () => log.opened(),
    retentionMonths,
    intervalMs: upkeepIntervalMs,
    now,
  });
  return {
    backend,
    record: (records) => log.record(records),
    flush: () => log.flush(),
    state: () => log.state(),
    async close() {
      await upkeep.stop();
      await log.close();
    },
    metrics: () => log.metrics(),
    opened: () => log.opened(),
    // Before the schema exists a query would fail for no reason a caller can act on.
    reader: createPredictionLogReader({
      query: async (sql, params) => {
        await log.opened();
        return client.query(sql, params);
      },
      exec: async (sql) => {
        await log.opened();
        await client.exec(sql);
      },
    }),
  };
}

/**
 * The database alone, for reading the log without writing to it (`glyco drift`, with a read-only login if
 * wanted): it never migrates. Fails when the database cannot be reached, holds no log, or the log is off.
 */
export async function openPredictionLogReader(
  options: DatabaseOptions = {},
): Promise<{ reader: PredictionLogReader; backend: PredictionLogBackend; close(): Promise<void> }> {
  const backend = backendOf(options);
  if (backend === 'off') throw new PredictionLogConfigError('the prediction log is off (DATABASE_URL=off)');
  const client = await openSqlClient(backend, options, options.logger ?? stderrLogger);
  try {
    await schemaVersion(client);
  } catch (error) {
    await client.close();
    throw error;
  }
  return { reader: createPredictionLogReader(client), backend, close: () => client.close() };
}

/** The schema version that records each prediction's client (migration 3). */
const CLIENT_COLUMN_VERSION = 3;
/** The schema version whose table is partitioned by month (migration 4). */
const PARTITIONED_VERSION = 4;

function retentionSetting(months: number | undefined): number | undefined {
  return months === undefined ? undefined : positiveInteger(months, 0, 'retentionMonths');
}

/** The log's data as its owner manages it, apart from serving: what a person asks to be deleted. */
export interface PredictionLogAdmin {
  /**
   * One round of the upkeep the server runs every hour: the current and next month's partitions made, and
   * with a retention, the rows before its first kept month gone (whole partitions detached and dropped).
   * `dryRun` changes nothing and reports what would go.
   */
  prune(options: {
    retentionMonths: number | undefined;
    now?: Date;
    dryRun?: boolean;
  }): Promise<UpkeepReport>;
  /**
   * Deletes every logged prediction of one client (as authentication named it: `key:<name>`, `oidc:<id>`), with
   * the outcomes reported for them, in one statement; returns how many rows went. Rows logged before the log
   * recorded clients (NULL) are nobody's and stay.
   */
  deleteClient(client: string): Promise<number>;
  close(): Promise<void>;
}

/** Opens the log's database to manage its data; it must hold a log that records clients (schema 3). */
export async function openPredictionLogAdmin(options: DatabaseOptions = {}): Promise<PredictionLogAdmin> {
  const backend = backendOf(options);
  if (backend === 'off') throw new PredictionLogConfigError('the prediction log is off (DATABASE_URL=off)');
  const db = await openSqlClient(backend, options, options.logger ?? stderrLogger);
  let version: number;
  try {
    version = await schemaVersion(db);
    if (version < CLIENT_COLUMN_VERSION) {
      throw new PredictionLogConfigError(
        'this prediction log does not record clients yet: start the server once, which migrates it',
      );
    }
  } catch (error) {
    await db.close();
    throw error;
  }
  return {
    async prune({ retentionMonths, now = new Date(), dryRun }) {
      if (version < PARTITIONED_VERSION) {
        throw new PredictionLogConfigError(
          'this prediction log is not partitioned by month yet: start the server of this release once, which migrates it',
        );
      }
      const months = retentionSetting(retentionMonths);
      return db.session((session) => keepPartitions(session, { now, retentionMonths: months, dryRun }));
    },
    async deleteClient(client) {
      const { affectedRows } = await db.query('DELETE FROM predictions WHERE client = $1', [client]);
      return affectedRows;
    },
    close: () => db.close(),
  };
}

/** Where the default spool directory comes from, for a message about one that cannot be used. */
const SPOOL_LOCATION: Record<Exclude<PredictionLogBackend, 'off'>, string> = {
  pglite:
    'It sits beside the embedded database (.glyco/spool under the working directory), which must be writable',
  postgres: 'It is glyco-spool in the temp dir (TMPDIR, else /tmp), which must be writable',
};

/**
 * Beside the embedded database locally (`.glyco/spool`); in the temp dir with a database server, because
 * Lambda, ECS and EKS run the app on a read-only file system where only /tmp is writable.
 */
function defaultSpoolDir(backend: PredictionLogBackend, dataDir: string | undefined): string {
  if (backend !== 'pglite') return join(tmpdir(), 'glyco-spool');
  return join(dirname(resolve(dataDir ?? DEFAULT_DATA_DIR)), 'spool');
}
