import { finished } from 'node:stream/promises';
import {
  type DatabaseSettings,
  type PostgresEndpoint,
  parseDatabaseUrl,
  parseSslMode,
  secretRegion,
} from '@glyco/contract';
import type { Logger } from '@glyco/logger';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { PredictionLogConfigError } from './config-error.ts';
import { cachedSecret, type DatabaseSecret, type SecretReader } from './database-secret.ts';
import { tlsOptions } from './postgres-endpoint.ts';
import { inTransaction, type SqlClient, type SqlQueryable } from './sql-client.ts';

export interface PostgresClientOptions {
  /**
   * The URL may leave out the credentials when they come from the secret, which is read at startup and again
   * after `secretMaxAgeMs` (rotation); host, port and name override (or, without a URL, give) where the server
   * is: an RDS instance or RDS Proxy endpoint.
   */
  database: Partial<DatabaseSettings>;
  poolSize: number;
  logger: Logger;
  readSecret: SecretReader;
  secretMaxAgeMs?: number;
}

/** Seconds-scale bounds so an unreachable server turns into spooling quickly instead of hanging writes. */
const CONNECT_TIMEOUT_MS = 5_000;
const QUERY_TIMEOUT_MS = 30_000;

export async function openPostgresClient(options: PostgresClientOptions): Promise<SqlClient> {
  const { url, secretArn } = options.database;
  const fromUrl = url ? parseDatabaseUrl(url) : undefined;
  let secret: (() => Promise<DatabaseSecret>) | undefined;
  let firstSecret: DatabaseSecret | undefined;
  if (secretArn) {
    secretRegion(secretArn);
    secret = cachedSecret(secretArn, options.readSecret, options.secretMaxAgeMs ?? 10 * 60_000);
    firstSecret = await secret();
  }
  const endpoint = resolveEndpoint(fromUrl, firstSecret, options.database);
  const connection: pg.ClientConfig = {
    host: endpoint.host,
    port: endpoint.port,
    database: endpoint.database,
    user: firstSecret?.username ?? endpoint.user,
    password: secret ? async () => (await secret()).password : endpoint.password,
    ssl: tlsOptions(endpoint),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    application_name: 'glyco',
  };
  const pool = new pg.Pool({
    ...connection,
    max: options.poolSize,
    query_timeout: QUERY_TIMEOUT_MS,
    statement_timeout: QUERY_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection that the server closes (restart, failover) must not crash the process.
  pool.on('error', (error) => options.logger.warn('database connection lost', { error: error.message }));

  const on = (client: pg.Pool | pg.ClientBase): SqlQueryable => ({
    async query<Row>(sql: string, params?: readonly unknown[]) {
      const result = await client.query(sql, params as unknown[] | undefined);
      return { rows: result.rows as Row[], affectedRows: result.rowCount ?? 0 };
    },
    async exec(sql) {
      await client.query(sql);
    },
  });
  /**
   * Lends a connection to `work`. pg-pool stops listening for a lent connection's errors, and an error event
   * nobody listens for ends the process: a connection that dies meanwhile (restart, failover, a proxy dropping
   * it) must fail `work` instead. A connection that saw a failure is not lent again.
   */
  async function withConnection<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let failure: Error | undefined;
    const onError = (error: Error) => {
      failure ??= error;
    };
    client.on('error', onError);
    try {
      return await work(client);
    } catch (error) {
      failure ??= error as Error;
      throw error;
    } finally {
      client.off('error', onError);
      client.release(failure);
    }
  }

  return {
    ...on(pool),
    transaction: (work) => withConnection((client) => inTransaction(on(client), work)),
    copyIn: (target, text) =>
      withConnection(async (client) => {
        const copy = client.query(copyFrom(`COPY ${target} FROM STDIN`));
        copy.end(text);
        // Settles on the server's answer: written and visible, or refused (or the query timeout).
        await finished(copy);
        return copy.rowCount;
      }),
    // Outside the pool, whose connections carry the statement timeout that keeps writes from hanging.
    async session(work) {
      const client = new pg.Client(connection);
      client.on('error', (error) =>
        options.logger.warn('database connection lost', { error: error.message }),
      );
      await client.connect();
      try {
        return await work(on(client));
      } finally {
        await client.end().catch(() => {});
      }
    },
    close: () => pool.end(),
  };
}

/** Explicit settings win over the URL, the URL over what the secret says. */
function resolveEndpoint(
  fromUrl: PostgresEndpoint | undefined,
  secret: DatabaseSecret | undefined,
  database: Partial<DatabaseSettings>,
): PostgresEndpoint {
  const host = database.host || fromUrl?.host || secret?.host;
  if (!host) {
    throw new PredictionLogConfigError(
      'no database host: set DATABASE_URL, or DATABASE_HOST with DATABASE_SECRET_ARN (RDS-managed secrets hold no host)',
    );
  }
  return {
    host,
    port: database.port ?? fromUrl?.port ?? secret?.port ?? 5432,
    database: database.name || fromUrl?.database || secret?.dbname || 'postgres',
    user: fromUrl?.user,
    password: fromUrl?.password,
    sslMode: fromUrl?.sslMode ?? parseSslMode(undefined, host),
    sslRootCert: fromUrl?.sslRootCert,
  };
}
