import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PredictionLogConfigError } from './config-error.ts';
import { acquireDirLock, DirectoryInUseError, type DirLock } from './dir-lock.ts';
import type { PgliteReply, PgliteRequest } from './pglite-protocol.ts';
import { inTransaction, type SqlClient, type SqlQueryable, type SqlResult } from './sql-client.ts';

type Pending = { resolve(reply: PgliteReply): void; reject(error: Error): void };
/** A request before it gets its id (distributed over the union's members). */
type Unsent = PgliteRequest extends infer Request
  ? Request extends unknown
    ? Omit<Request, 'id'>
    : never
  : never;

/** A database error as thrown on the main thread, with the SQLSTATE code PGlite reported. */
class EmbeddedDatabaseError extends Error {
  override name = 'EmbeddedDatabaseError';
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined) {
    super(message);
    this.code = code;
  }
}

/**
 * Claims the embedded database in `dataDir` (creating the directory if needed) for this process until
 * `close()`, and starts opening it on its own thread. Returns at once: opening takes a second or more (initdb,
 * the first time, several), so statements wait for it, and a failed opening is tried again by the next one.
 * What cannot get better by retrying (a directory this process may not write, one held by another process, a
 * bundle without the worker) fails here.
 */
export async function openPgliteClient(dataDir: string): Promise<SqlClient> {
  const dir = resolve(dataDir);
  const script = workerScript();
  let lock: DirLock;
  try {
    await mkdir(dir, { recursive: true });
    lock = await acquireDirLock(dir, 'the embedded prediction database');
  } catch (error) {
    if (error instanceof DirectoryInUseError) throw error;
    throw new PredictionLogConfigError(
      `cannot use ${dir} for the embedded prediction database (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): ` +
        'run from a writable working directory, or set DATABASE_URL (a PostgreSQL server, or off)',
    );
  }
  let started: Promise<SqlClient> | undefined;
  const worker = () =>
    (started ??= startWorker(script, dir).catch((error: unknown) => {
      started = undefined;
      throw error;
    }));
  worker().catch(() => {}); // begin now; the first statement reports a failure
  return {
    query: async (sql, params) => (await worker()).query(sql, params),
    exec: async (sql) => (await worker()).exec(sql),
    transaction: async (work) => (await worker()).transaction(work),
    copyIn: async (target, text) => (await worker()).copyIn(target, text),
    session: async (work) => (await worker()).session(work),
    async close() {
      const opened = await started?.catch(() => undefined);
      await opened?.close();
      await lock.release();
    },
  };
}

async function startWorker(script: URL, dataDir: string): Promise<SqlClient> {
  const worker = new Worker(script, { workerData: { dataDir } });
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let stopped: Error | undefined;

  await new Promise<void>((ready, fail) => {
    const failOnExit = (code: number) =>
      fail(new Error(`the embedded database exited while opening (code ${code})`));
    worker.once('error', fail);
    worker.once('exit', failOnExit);
    worker.once('message', () => {
      worker.off('error', fail);
      worker.off('exit', failOnExit);
      ready();
    });
  });
  worker.on('message', (reply: PgliteReply) => {
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    waiter?.resolve(reply);
  });
  const fail = (error: Error) => {
    stopped = error;
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  worker.on('error', (error) => fail(new Error(`the embedded database failed: ${error.message}`)));
  worker.on('exit', (code) => fail(new Error(`the embedded database stopped (exit code ${code})`)));

  const send = (request: Unsent): Promise<PgliteReply> => {
    if (stopped) return Promise.reject(stopped);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });
  };
  const run = async <Row>(request: Unsent): Promise<SqlResult<Row>> => {
    const reply = await send(request);
    if ('error' in reply) throw new EmbeddedDatabaseError(reply.error.message, reply.error.code);
    return { rows: reply.rows as Row[], affectedRows: reply.affectedRows };
  };
  const direct: SqlQueryable = {
    query: (sql, params = []) => run({ kind: 'query', sql, params }),
    exec: async (sql) => {
      await run({ kind: 'exec', sql });
    },
  };

  // One connection: a transaction must not interleave with other statements, so everything takes turns.
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const result = turn.then(work);
    turn = result.catch(() => {});
    return result;
  };

  return {
    query: (sql, params) => inTurn(() => direct.query(sql, params)),
    exec: (sql) => inTurn(() => direct.exec(sql)),
    copyIn: (target, text) => inTurn(async () => (await run({ kind: 'copy', target, text })).affectedRows),
    // The embedded database has no statement timeout; its one connection is lent for the whole session.
    session: (work) => inTurn(() => work(direct)),
    transaction: (work) => inTurn(() => inTransaction(direct, work)),
    async close() {
      await inTurn(() => run({ kind: 'close' })).catch(() => {});
      await worker.terminate();
    },
  };
}

/** The worker's module name: `<name>.ts` in the source tree, `<name>.mjs` as a bundle's entry point. */
export const PGLITE_WORKER = 'pglite-worker';

/**
 * The worker's module: `pglite-worker.ts` beside this file in the source tree; in an esbuild bundle, whose code
 * all lives in one file, the entry point `pglite-worker` built beside it (see `bundling.ts`).
 */
function workerScript(): URL {
  for (const name of [`./${PGLITE_WORKER}.mjs`, `./${PGLITE_WORKER}.ts`]) {
    const url = new URL(name, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new PredictionLogConfigError(
    `the embedded database's worker is missing beside ${fileURLToPath(import.meta.url)}: a bundle must build ` +
      `@glyco/prediction-log's src/${PGLITE_WORKER}.ts as the entry point "${PGLITE_WORKER}" (or set DATABASE_URL)`,
  );
}
