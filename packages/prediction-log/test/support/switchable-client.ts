import type { SqlClient } from '../../src/sql-client.ts';

/**
 * A real database client that can be made to fail like an unreachable server (ECONNREFUSED), to test what
 * the log does during an outage against both backends without stopping the database itself; or to refuse
 * COPY alone, like a connection proxy that does not pass it on (counting the COPYs it was asked for).
 */
export function switchableClient(
  client: SqlClient,
): SqlClient & { down: boolean; refuseCopy: boolean; copies: number } {
  const failIfDown = () => {
    if (wrapper.down)
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  };
  const wrapper = {
    down: false,
    refuseCopy: false,
    copies: 0,
    async query<Row>(sql: string, params?: readonly unknown[]) {
      failIfDown();
      return client.query<Row>(sql, params);
    },
    async exec(sql: string) {
      failIfDown();
      return client.exec(sql);
    },
    async transaction<T>(work: Parameters<SqlClient['transaction']>[0]) {
      failIfDown();
      return client.transaction(work) as Promise<T>;
    },
    async copyIn(target: string, text: string) {
      failIfDown();
      wrapper.copies++;
      if (wrapper.refuseCopy)
        throw Object.assign(new Error('COPY is not supported by this proxy'), { code: '0A000' });
      return client.copyIn(target, text);
    },
    close: () => client.close(),
  };
  return wrapper;
}
