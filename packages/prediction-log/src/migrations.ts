import { partitionByMonth, prepareToPartition } from './partitioning-migration.ts';
import { inTransaction, type SqlClient, type SqlQueryable } from './sql-client.ts';

/**
 * A step of the schema: plain SQL, or a change that depends on what the database holds (`apply`, in the
 * migration's transaction), with an optional slow part that must not hold the table locked (`prepare`, run
 * before, outside any transaction, and safe to run again). A step is never edited once released.
 */
export interface Migration {
  version: number;
  name: string;
  sql?: string;
  prepare?(db: SqlQueryable, now: Date): Promise<void>;
  apply?(tx: SqlQueryable, now: Date): Promise<void>;
}

/** The schema's steps. The same SQL runs on PGlite and on PostgreSQL. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'predictions table',
    sql: `
      CREATE TABLE predictions (
        -- The row's own id (a UUIDv7, time-ordered), given as it is first stored and kept by the spool: a
        -- replayed row is a conflict here, never a second row.
        id uuid PRIMARY KEY,
        predicted_at timestamptz NOT NULL,
        logged_at timestamptz NOT NULL DEFAULT now(),
        request_id text NOT NULL,
        row_index integer NOT NULL CHECK (row_index >= 0),
        model_name text NOT NULL,
        model_version text NOT NULL,
        inputs jsonb NOT NULL,
        prediction smallint NOT NULL,
        label text NOT NULL,
        probability double precision NOT NULL,
        risk_level text NOT NULL,
        latency_ms double precision NOT NULL,
        observed_outcome smallint CHECK (observed_outcome IN (0, 1)),
        observed_at timestamptz
      );
      -- Feedback finds its rows by request id and row index; a client may reuse a request id, so not unique.
      CREATE INDEX predictions_request ON predictions (request_id, row_index);
      -- Rows arrive in time order, so a block-range index serves time windows (drift) for almost no cost.
      CREATE INDEX predictions_predicted_at_brin ON predictions USING brin (predicted_at);
    `,
  },
  {
    version: 2,
    name: 'outputs and outcomes of every task',
    // Metadata changes only: no row is rewritten or lost, and rows written by version 1 (binary predictions)
    // keep every value. The CHECK on outcomes is added NOT VALID: old rows already met a stricter one.
    sql: `
      -- The columns of a task's answer; the others stay null.
      --   binary:     prediction (class index), label, probability (of the positive class), risk_level
      --   multiclass: prediction (class index), label, probability (of the predicted class), probabilities
      --   regression: value (in the target's unit)
      ALTER TABLE predictions
        ALTER COLUMN prediction DROP NOT NULL,
        ALTER COLUMN label DROP NOT NULL,
        ALTER COLUMN probability DROP NOT NULL,
        ALTER COLUMN risk_level DROP NOT NULL,
        -- Every class's probability, in the model's class label order (multiclass).
        ADD COLUMN probabilities double precision[],
        -- The predicted value (regression).
        ADD COLUMN value double precision,
        -- What really happened, as reported: classifiers set observed_outcome (the class index, as in
        -- prediction) and observed_label (that class's label); regression models set observed_value.
        ADD COLUMN observed_label text,
        ADD COLUMN observed_value double precision;
      ALTER TABLE predictions DROP CONSTRAINT predictions_observed_outcome_check;
      ALTER TABLE predictions
        ADD CONSTRAINT predictions_observed_outcome_check CHECK (observed_outcome >= 0) NOT VALID,
        -- A row holds a class (classifiers) or a value (regression), never both, never neither.
        ADD CONSTRAINT predictions_outputs_of_one_task CHECK ((prediction IS NULL) <> (value IS NULL)) NOT VALID;
    `,
  },
  {
    version: 3,
    name: 'the client of each prediction',
    // Metadata only: rows logged before it keep NULL (their client was not known).
    sql: `
      -- Who sent the request, as authentication named it (key:<name>, oidc:<client id>); NULL without it.
      ALTER TABLE predictions ADD COLUMN client text;
      -- Deleting (or reading) one client's rows finds them without a scan.
      CREATE INDEX predictions_client ON predictions (client) WHERE client IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: 'monthly partitions',
    prepare: prepareToPartition,
    apply: partitionByMonth,
  },
];

/** An arbitrary constant that names "the prediction log's schema" among advisory locks. */
const MIGRATION_LOCK = 7_316_948_121;

/**
 * Applies the steps this database has not seen, on a session of its own under an advisory lock: when several
 * instances start at once, one migrates and the others wait, then find nothing left to do. Each step commits
 * in a transaction of its own, after its slow, online part (`prepare`) ran statement by statement while the
 * log stayed in use. Returns the versions it applied.
 */
export async function migrate(client: SqlClient, now: Date = new Date()): Promise<number[]> {
  return client.session(async (db) => {
    await db.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await db.exec(`
        CREATE TABLE IF NOT EXISTS prediction_log_migrations (
          version integer PRIMARY KEY,
          name text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`);
      const { rows } = await db.query<{ version: number }>('SELECT version FROM prediction_log_migrations');
      const applied = new Set(rows.map((row) => row.version));
      const pending = MIGRATIONS.filter((migration) => !applied.has(migration.version));
      // A step at a time: a step's slow part is prepared on the schema the steps before it left.
      for (const migration of pending) {
        await migration.prepare?.(db, now);
        await inTransaction(db, async (tx) => {
          if (migration.sql) await tx.exec(migration.sql);
          await migration.apply?.(tx, now);
          await tx.query('INSERT INTO prediction_log_migrations (version, name) VALUES ($1, $2)', [
            migration.version,
            migration.name,
          ]);
        });
      }
      return pending.map((migration) => migration.version);
    } finally {
      await db.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  });
}

/**
 * The schema version a database holds, for readers that must not write (a read-only login): it fails, saying
 * so, when the log was never created there.
 */
export async function schemaVersion(db: SqlQueryable): Promise<number> {
  let version: number | null | undefined;
  try {
    const { rows } = await db.query<{ version: number | null }>(
      'SELECT max(version) AS version FROM prediction_log_migrations',
    );
    version = rows[0]?.version;
  } catch (error) {
    if ((error as { code?: unknown }).code !== '42P01') throw error;
  }
  if (!version) {
    throw new Error('this database holds no prediction log yet: the server creates it when it first starts');
  }
  return version;
}
