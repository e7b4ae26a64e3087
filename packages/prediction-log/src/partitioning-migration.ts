import { type Month, monthOf, monthStart, parseMonthLabel } from './months.ts';
import { addMonthPartition, bound, DDL_LOCK_TIMEOUT, earlierRowsPartition } from './partitions.ts';
import { inTransaction, type SqlQueryable } from './sql-client.ts';

/**
 * Migration 4: `predictions` becomes a table partitioned by month of `predicted_at` (see partitions.ts).
 *
 * A log that already holds rows keeps all of them, and is not locked for as long as it is big: following the
 * PostgreSQL 15 docs (5.11.2.2 "Partition Maintenance", https://www.postgresql.org/docs/15/ddl-partitioning.html,
 * and ALTER TABLE's ATTACH PARTITION), the old table becomes the partition of every row before a month M,
 * attached without the scan that would check its rows, because a validated CHECK constraint proves them
 * already. The slow parts run first, while the log stays in use (`prepareToPartition`):
 *   - a unique index on (id, predicted_at), built CONCURRENTLY: a partitioned table's primary key must hold
 *     its partition key, and the old primary key on id alone cannot be kept;
 *   - CHECK (predicted_at < M), added NOT VALID then validated, which takes no lock that stops writes
 *     (SHARE UPDATE EXCLUSIVE); the two CHECKs that migration 2 added NOT VALID are validated the same way.
 * Then, in the migration's transaction, metadata only: rename the old table and its indexes, swap its primary
 * key for the new index, create the partitioned table, ATTACH the old one FOR VALUES FROM (MINVALUE) TO (M).
 * Its indexes match the partitioned table's, so ATTACH adopts them instead of building new ones.
 *
 * M is the month after next: rows that instances of the previous release write while the index builds must
 * stay below it, and a month is more than any build takes. Months from M on get partitions of their own.
 * A log with no rows (a new database) is simply replaced.
 */

const ID_AND_TIME_INDEX = 'predictions_id_predicted_at';
/** Migration 2 added these NOT VALID; a partitioned table's CHECKs are valid, and so must its partitions' be. */
const CHECKS_ADDED_NOT_VALID = ['predictions_observed_outcome_check', 'predictions_outputs_of_one_task'];
const INDEXES = ['request', 'predicted_at_brin', 'client'];

/** The schema of migrations 1–3, partitioned; column comments are in those migrations. */
const PARTITIONED_TABLE = `
  CREATE TABLE predictions (
    id uuid NOT NULL,
    predicted_at timestamptz NOT NULL,
    logged_at timestamptz NOT NULL DEFAULT now(),
    request_id text NOT NULL,
    row_index integer NOT NULL CONSTRAINT predictions_row_index_check CHECK (row_index >= 0),
    model_name text NOT NULL,
    model_version text NOT NULL,
    inputs jsonb NOT NULL,
    prediction smallint,
    label text,
    probability double precision,
    risk_level text,
    latency_ms double precision NOT NULL,
    observed_outcome smallint CONSTRAINT predictions_observed_outcome_check CHECK (observed_outcome >= 0),
    observed_at timestamptz,
    probabilities double precision[],
    value double precision,
    observed_label text,
    observed_value double precision,
    client text,
    -- The row's id is a UUIDv7 made from predicted_at, so (id, predicted_at) is as unique as id was, and a
    -- replayed row is still a conflict on it.
    CONSTRAINT predictions_pkey PRIMARY KEY (id, predicted_at),
    CONSTRAINT predictions_outputs_of_one_task CHECK ((prediction IS NULL) <> (value IS NULL))
  ) PARTITION BY RANGE (predicted_at);
  -- Created on every partition: feedback's lookup by request id is an index probe per partition.
  CREATE INDEX predictions_request ON predictions (request_id, row_index);
  CREATE INDEX predictions_predicted_at_brin ON predictions USING brin (predicted_at);
  CREATE INDEX predictions_client ON predictions (client) WHERE client IS NOT NULL;
  -- Takes the rows of a month that has no partition yet, so that no write is ever refused for want of one.
  CREATE TABLE predictions_default PARTITION OF predictions DEFAULT;`;

export async function prepareToPartition(db: SqlQueryable, now: Date): Promise<void> {
  if (!(await isPlainTableWithRows(db))) return;
  await uniqueIdAndTime(db, 'CONCURRENTLY');
  const bounded = await inTransaction(db, async (tx) => {
    await tx.exec(DDL_LOCK_TIMEOUT);
    return boundConstraint(tx, now);
  });
  await validateChecks(db, bounded.name);
}

export async function partitionByMonth(tx: SqlQueryable, now: Date): Promise<void> {
  await tx.exec(DDL_LOCK_TIMEOUT);
  await tx.exec('LOCK TABLE predictions IN ACCESS EXCLUSIVE MODE');
  if (!(await isPlainTableWithRows(tx))) {
    await tx.exec('DROP TABLE predictions');
    await tx.exec(PARTITIONED_TABLE);
    for (const month of [monthOf(now), monthOf(now) + 1]) await addMonthPartition(tx, month, []);
    return;
  }
  // Done already by prepareToPartition, unless rows arrived since it looked: then the table is small.
  await uniqueIdAndTime(tx, '');
  const bounded = await boundConstraint(tx, now);
  await validateChecks(tx, bounded.name);
  const earlier = earlierRowsPartition(bounded.before);
  await tx.exec(`ALTER TABLE predictions RENAME TO ${earlier}`);
  for (const index of INDEXES) {
    await tx.exec(`ALTER INDEX predictions_${index} RENAME TO ${earlier}_${index}`);
  }
  await tx.exec(`ALTER TABLE ${earlier} DROP CONSTRAINT predictions_pkey`);
  await tx.exec(
    `ALTER TABLE ${earlier} ADD CONSTRAINT ${earlier}_pkey PRIMARY KEY USING INDEX ${ID_AND_TIME_INDEX}`,
  );
  await tx.exec(PARTITIONED_TABLE);
  await tx.exec(
    `ALTER TABLE predictions ATTACH PARTITION ${earlier} FOR VALUES FROM (MINVALUE) TO (${bound(bounded.before)})`,
  );
  // The partition's bound says as much now.
  await tx.exec(`ALTER TABLE ${earlier} DROP CONSTRAINT ${bounded.name}`);
}

/** False for a new database (no rows) and for a table partitioned already. */
async function isPlainTableWithRows(db: SqlQueryable): Promise<boolean> {
  const { rows } = await db.query<{ kind: string }>(
    `SELECT relkind AS kind FROM pg_class WHERE oid = to_regclass('predictions')`,
  );
  if (rows[0]?.kind !== 'r') return false;
  const held = await db.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM predictions) AS any');
  return held.rows[0]?.any === true;
}

/** The unique index the primary key will use; one left invalid by a build that failed is built again. */
async function uniqueIdAndTime(db: SqlQueryable, how: 'CONCURRENTLY' | ''): Promise<void> {
  const { rows } = await db.query<{ valid: boolean }>(
    `SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass('${ID_AND_TIME_INDEX}')`,
  );
  if (rows[0]?.valid) return;
  if (rows[0]) await db.exec(`DROP INDEX ${how} ${ID_AND_TIME_INDEX}`);
  await db.exec(`CREATE UNIQUE INDEX ${how} ${ID_AND_TIME_INDEX} ON predictions (id, predicted_at)`);
}

/**
 * The CHECK (predicted_at < M) that lets ATTACH skip its scan, named for M; added NOT VALID (metadata only)
 * unless an earlier attempt left it.
 */
async function boundConstraint(tx: SqlQueryable, now: Date): Promise<{ name: string; before: Month }> {
  const { rows } = await tx.query<{ name: string }>(
    `SELECT conname AS name FROM pg_constraint
     WHERE conrelid = 'predictions'::regclass AND conname ~ '^predictions_before_[0-9]{4}_[0-9]{2}$'`,
  );
  const found = rows[0]?.name;
  const before = found ? parseMonthLabel(found.slice('predictions_before_'.length))! : monthOf(now) + 2;
  const name = earlierRowsPartition(before);
  if (!found) {
    await tx.exec(
      `ALTER TABLE predictions ADD CONSTRAINT ${name} CHECK (predicted_at < '${monthStart(before).toISOString()}') NOT VALID`,
    );
  }
  return { name, before };
}

/** A scan per constraint, with only a SHARE UPDATE EXCLUSIVE lock: writes go on. Quick when valid already. */
async function validateChecks(db: SqlQueryable, boundName: string): Promise<void> {
  for (const constraint of [boundName, ...CHECKS_ADDED_NOT_VALID]) {
    await db.exec(`ALTER TABLE predictions VALIDATE CONSTRAINT ${constraint}`);
  }
}
