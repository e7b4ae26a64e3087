import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../src/migrations.ts';
import { openSqlClient } from '../src/open-database.ts';
import { COPY_TARGET, copyText, rowValues } from '../src/rows.ts';
import type { SqlClient } from '../src/sql-client.ts';
import { postgres, type TestDatabase } from './support/backends.ts';
import { memoryLogger, prediction, waitFor } from './support/records.ts';

/** A TCP relay in front of the server whose connections can be reset, as a network or a proxy may. */
async function relayTo(target: URL): Promise<{ url: URL; resetAll(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = connect(Number(target.port), target.hostname);
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    resetAll: () => {
      for (const socket of sockets) socket.resetAndDestroy();
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe.skipIf(postgres.unavailable)('the PostgreSQL client when its connection is reset mid-COPY', () => {
  let db: TestDatabase;
  let relay: Awaited<ReturnType<typeof relayTo>>;
  let client: SqlClient;
  beforeEach(async () => {
    db = await postgres.create();
    relay = await relayTo(new URL(db.options.database!.url!));
    client = await openSqlClient('postgres', { database: { url: relay.url.toString() } }, memoryLogger());
    await migrate(client);
  });
  afterEach(async () => {
    await client.close();
    await relay.close();
    await db.drop();
  });

  it('fails that COPY, keeps the process alive, and works again on a new connection', async () => {
    // Large enough to take the server a while: the connection is reset while the COPY runs.
    const text = copyText(Array.from({ length: 200_000 }, (_, i) => rowValues(prediction(`r-${i}`), 0)));
    const outcome = client.copyIn(COPY_TARGET, text).then(
      () => 'written',
      (error: Error) => error.message,
    );
    await waitFor('the COPY to run', async () => {
      const running = await db.query("SELECT 1 FROM pg_stat_activity WHERE query LIKE 'COPY predictions%'");
      return running.length > 0;
    });
    relay.resetAll();

    expect(await outcome).toMatch(/ECONNRESET|terminated/);
    await waitFor('the server to end the COPY', async () => {
      const running = await db.query("SELECT 1 FROM pg_stat_activity WHERE query LIKE 'COPY predictions%'");
      return running.length === 0;
    });
    expect(await db.query('SELECT count(*)::int AS n FROM predictions')).toEqual([{ n: 0 }]);
    expect(await client.copyIn(COPY_TARGET, copyText([rowValues(prediction('after'), 0)]))).toBe(1);
  }, 30_000);
});
