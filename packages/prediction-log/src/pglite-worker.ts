/**
 * Runs the embedded PGlite database on its own thread: PGlite is WebAssembly and blocks the thread it runs on,
 * so on the main thread every batched insert would stall request handling.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import type { PgliteReply, PgliteRequest } from './pglite-protocol.ts';

const port = parentPort!;
const db = await PGlite.create(workerData.dataDir as string);

port.on('message', async (request: PgliteRequest) => {
  let reply: PgliteReply;
  try {
    if (request.kind === 'query') {
      const result = await db.query(request.sql, request.params as unknown[]);
      reply = { id: request.id, rows: result.rows as unknown[], affectedRows: result.affectedRows ?? 0 };
    } else if (request.kind === 'copy') {
      const blob = new Blob([request.text]);
      const result = await db.query(`COPY ${request.target} FROM '/dev/blob'`, [], { blob });
      reply = { id: request.id, rows: [], affectedRows: result.affectedRows ?? 0 };
    } else if (request.kind === 'exec') {
      await db.exec(request.sql);
      reply = { id: request.id, rows: [], affectedRows: 0 };
    } else {
      await db.close();
      reply = { id: request.id, rows: [], affectedRows: 0 };
    }
  } catch (error) {
    const { message, code } = error as { message?: string; code?: string };
    reply = { id: request.id, error: { message: String(message ?? error), code } };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true });
