import { type Month, monthLabel, monthOf, monthStart, parseMonthLabel } from './months.ts';
import { inTransaction, type SqlQueryable } from './sql-client.ts';

/**
 * The log's table is partitioned by month of `predicted_at` (PostgreSQL 15 docs, 5.11 "Table Partitioning",
 * https://www.postgresql.org/docs/15/ddl-partitioning.html): a month's rows are one table, so that a month
 * past the retention goes with one DETACH and one DROP instead of a DELETE of every row, and the drift and
 * export queries of a time window read only the months it spans. Partitions are named for what they hold:
 *   predictions_2027_01          one UTC month
 *   predictions_before_2027_02   every row before that month: the table as it was before partitioning
 *   predictions_default          any row no other partition takes (a month not created yet): never refused
 */
export const DEFAULT_PARTITION = 'predictions_default';
const MONTH_PREFIX = 'predictions_';
const BEFORE_PREFIX = 'predictions_before_';

export const monthPartition = (month: Month) => `${MONTH_PREFIX}${monthLabel(month)}`;
export const earlierRowsPartition = (month: Month) => `${BEFORE_PREFIX}${monthLabel(month)}`;

/** A partition of the log: the months `[from, to)` it holds (from undefined: everything before `to`). */
export interface Partition {
  name: string;
  from: Month | undefined;
  to: Month;
}

/**
 * How long a schema change waits for a table's lock before it gives up (and is tried again later): while it
 * waits, it queues every write and read of the table behind it, so it must not wait behind a long query.
 */
export const DDL_LOCK_TIMEOUT = `SET LOCAL lock_timeout = '5s'`;

/**
 * The month partitions and the one of earlier rows, as their names say (the default partition, and any table
 * someone attached by hand under another name, are not listed: they are never created or dropped here).
 */
export async function listPartitions(db: SqlQueryable): Promise<Partition[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'predictions'::regclass ORDER BY c.relname`,
  );
  const partitions: Partition[] = [];
  for (const { name } of rows) {
    if (name.startsWith(BEFORE_PREFIX)) {
      const to = parseMonthLabel(name.slice(BEFORE_PREFIX.length));
      if (to !== undefined) partitions.push({ name, from: undefined, to });
    } else if (name.startsWith(MONTH_PREFIX)) {
      const from = parseMonthLabel(name.slice(MONTH_PREFIX.length));
      if (from !== undefined) partitions.push({ name, from, to: from + 1 });
    }
  }
  return partitions;
}

/** A partition bound: the month's first instant, written so that no session time zone can shift it. */
export const bound = (month: Month) => `'${monthStart(month).toISOString()}'`;

const covers = (partition: Partition, month: Month) =>
  (partition.from === undefined || partition.from <= month) && month < partition.to;

/**
 * Creates the partition of `month` unless a partition holds it already, in the caller's transaction. Rows of
 * that month that the default partition took meanwhile (written before their month had a partition) move
 * into it: PostgreSQL refuses to create a partition whose rows sit in the default one.
 * Returns whether it created one.
 */
export async function addMonthPartition(
  tx: SqlQueryable,
  month: Month,
  existing: readonly Partition[],
): Promise<boolean> {
  if (existing.some((partition) => covers(partition, month))) return false;
  const name = monthPartition(month);
  const range = `FOR VALUES FROM (${bound(month)}) TO (${bound(month + 1)})`;
  const within = [monthStart(month).toISOString(), monthStart(month + 1).toISOString()];
  // Writes that would land in the default partition wait until the month has its own.
  await tx.exec(`LOCK TABLE ${DEFAULT_PARTITION} IN EXCLUSIVE MODE`);
  const { rows } = await tx.query<{ held: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM ${DEFAULT_PARTITION} WHERE predicted_at >= $1 AND predicted_at < $2) AS held`,
    within,
  );
  if (!rows[0]?.held) {
    await tx.exec(`CREATE TABLE ${name} PARTITION OF predictions ${range}`);
    return true;
  }
  await tx.exec(`CREATE TABLE ${name} (LIKE predictions INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
  await tx.query(
    `WITH moved AS (
       DELETE FROM ${DEFAULT_PARTITION} WHERE predicted_at >= $1 AND predicted_at < $2 RETURNING *)
     INSERT INTO ${name} SELECT * FROM moved`,
    within,
  );
  await tx.exec(`ALTER TABLE predictions ATTACH PARTITION ${name} ${range}`);
  return true;
}

/** What one round of upkeep did. */
export interface UpkeepReport {
  /** Partitions created (the current month's and the next). */
  created: string[];
  /** The first instant kept, when a retention applies: every row before it is gone. */
  keptSince: Date | undefined;
  /** Partitions detached and dropped whole, with the rows each held. */
  dropped: { name: string; rows: number }[];
  /** Rows older than the retention deleted one by one from partitions that also hold newer rows. */
  deletedRows: number;
}

export interface UpkeepOptions {
  now: Date;
  /** Whole months kept before the current one; undefined keeps every row. */
  retentionMonths: number | undefined;
  /** Report what would go, change nothing (the partitions ahead are not created either). */
  dryRun?: boolean | undefined;
}

/** An arbitrary constant that names "the prediction log's partition upkeep" among advisory locks. */
const UPKEEP_LOCK = 7_316_948_122;

/**
 * One round of upkeep on a session of its own (`SqlClient.session`): the current and next month get their
 * partitions (so that the default partition stays empty and a month's rows can be dropped together), then,
 * with a retention, every partition whose months all lie before the first kept month is detached and dropped,
 * and rows before it that share a partition with newer ones (the partition of the rows logged before
 * partitioning, and the default one) are deleted. Instances that run it at once take turns.
 */
export async function keepPartitions(db: SqlQueryable, options: UpkeepOptions): Promise<UpkeepReport> {
  await db.query('SELECT pg_advisory_lock($1)', [UPKEEP_LOCK]);
  try {
    const current = monthOf(options.now);
    const created: string[] = [];
    if (!options.dryRun) {
      for (const month of [current, current + 1]) {
        const added = await inTransaction(db, async (tx) => {
          await tx.exec(DDL_LOCK_TIMEOUT);
          return addMonthPartition(tx, month, await listPartitions(tx));
        });
        if (added) created.push(monthPartition(month));
      }
    }
    if (options.retentionMonths === undefined) {
      return { created, keptSince: undefined, dropped: [], deletedRows: 0 };
    }
    const firstKept = current - options.retentionMonths;
    const keptSince = monthStart(firstKept);
    const expired = (await listPartitions(db)).filter((partition) => partition.to <= firstKept);
    const dropped: UpkeepReport['dropped'] = [];
    for (const { name } of expired) {
      dropped.push({ name, rows: await (options.dryRun ? countRows : dropPartition)(db, name) });
    }
    const deletedRows = options.dryRun
      ? (await countRows(db, 'predictions', 'WHERE predicted_at < $1', [keptSince.toISOString()])) -
        dropped.reduce((sum, { rows }) => sum + rows, 0)
      : await deleteRowsBefore(db, keptSince);
    return { created, keptSince, dropped, deletedRows };
  } finally {
    await db.query('SELECT pg_advisory_unlock($1)', [UPKEEP_LOCK]);
  }
}

async function countRows(db: SqlQueryable, table: string, where = '', params: unknown[] = []) {
  const { rows } = await db.query<{ rows: string }>(`SELECT count(*) AS rows FROM ${table} ${where}`, params);
  return Number(rows[0]?.rows ?? 0);
}

/**
 * DETACH, then DROP, in one transaction (ALTER TABLE, "DETACH PARTITION",
 * https://www.postgresql.org/docs/15/sql-altertable.html): the plain form, since CONCURRENTLY may not be
 * used while a default partition exists. Returns the rows it held.
 */
async function dropPartition(db: SqlQueryable, name: string): Promise<number> {
  return inTransaction(db, async (tx) => {
    await tx.exec(DDL_LOCK_TIMEOUT);
    const rows = await countRows(tx, name);
    await tx.exec(`ALTER TABLE predictions DETACH PARTITION ${name}`);
    await tx.exec(`DROP TABLE ${name}`);
    return rows;
  });
}

/**
 * Rows before `keptSince` left in partitions that also hold newer rows. Once the partitions wholly before it
 * are gone, PostgreSQL's partition pruning restricts this to the partition of earlier rows and the default.
 */
async function deleteRowsBefore(db: SqlQueryable, keptSince: Date): Promise<number> {
  const { affectedRows } = await db.query('DELETE FROM predictions WHERE predicted_at < $1', [
    keptSince.toISOString(),
  ]);
  return affectedRows;
}
