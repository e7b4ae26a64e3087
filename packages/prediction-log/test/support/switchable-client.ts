import type { SqlClient } from '../../src/sql-client.ts';

/**
 * A real database client that can be made to fail like an unreachable server (ECONNREFUSED), to test what
 * the log does during an outage against both backends without stopping the database itself; to hold every
 * statement until released, like a table another session has locked; or to refuse COPY alone, like a
 * connection proxy that does not pass it on (counting the COPYs it was asked for).
 */
export function switchableClient(client: SqlClient): SqlClient & {
  down: boolean;
  refuseCopy: boolean;
  copies: number;
  /** Statements from now on wait until `release()`, then run. */
  hold(): void;
  release(): void;
} {
  let held: { promise: Promise<void>; release(): void } | undefined;
  const gate = async () => {
    if (held) await held.promise;
    if (wrapper.down)
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  };
  const wrapper = {
    down: false,
    refuseCopy: false,
    copies: 0,
    hold() {
      if (held) return;
      let release!: () => void;
      const promise = new Promise<void>((resolve) => (release = resolve));
      held = { promise, release };
    },
    release() {
      held?.release();
      held = undefined;
    },
    async query<Row>(sql: string, params?: readonly unknown[]) {
      await gate();
      return client.query<Row>(sql, params);
    },
    async exec(sql: string) {
      await gate();
      return client.exec(sql);
    },
    async transaction<T>(work: Parameters<SqlClient['transaction']>[0]) {
      await gate();
      return client.transaction(work) as Promise<T>;
    },
    async session<T>(work: Parameters<SqlClient['session']>[0]) {
      await gate();
      return client.session(work) as Promise<T>;
    },
    async copyIn(target: string, text: string) {
      await gate();
      wrapper.copies++;
      if (wrapper.refuseCopy)
        throw Object.assign(new Error('COPY is not supported by this proxy'), { code: '0A000' });
      return client.copyIn(target, text);
    },
    close: () => client.close(),
  };
  return wrapper;
}
