/**
 * The little SQL surface the log needs, implemented by the embedded PGlite and by node-postgres, so that the
 * queue, the migrations and the reader are written once, in one SQL dialect.
 */
export interface SqlResult<Row> {
  rows: Row[];
  /** Rows inserted, updated or deleted by the statement. */
  affectedRows: number;
}

export interface SqlQueryable {
  /** One statement with `$n` parameters. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<SqlResult<Row>>;
  /** A script of several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface SqlClient extends SqlQueryable {
  /** Runs `work` in one transaction on one connection: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /**
   * Appends rows given in COPY's text format to `target` (a table and its column list), all of them or none
   * (a database error is thrown as from `query`). Returns the number of rows written.
   */
  copyIn(target: string, text: string): Promise<number>;
  /**
   * Runs `work` on one connection of its own, outside any transaction and with no statement timeout: schema
   * changes and upkeep whose statements take as long as a table is big (an index built concurrently, a
   * constraint validated, a partition counted), and session-level advisory locks.
   */
  session<T>(work: (db: SqlQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Runs `work` in a transaction on a connection that holds no other (a session's). */
export async function inTransaction<T>(db: SqlQueryable, work: (tx: SqlQueryable) => Promise<T>): Promise<T> {
  await db.exec('BEGIN');
  try {
    const result = await work(db);
    await db.exec('COMMIT');
    return result;
  } catch (error) {
    await db.exec('ROLLBACK').catch(() => {});
    throw error;
  }
}

/**
 * True when the error is an answer on a working connection, a SQLSTATE from the database or a proxy in
 * front of it, rather than a connection that failed (refused, reset, timed out), which has none.
 */
export function isDatabaseAnswer(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9][0-9A-Z]{4}$/.test(code);
}

/**
 * True when the database refused the data itself (SQLSTATE class 22 "data exception" or 23 "integrity
 * constraint violation"): retrying the same rows cannot succeed. Every other failure (refused connection,
 * timeout, shutdown, permissions) is treated as the database being unavailable, and the rows are kept.
 */
export function isRejectedData(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}
