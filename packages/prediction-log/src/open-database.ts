import { join } from 'node:path';
import type { DatabaseSettings } from '@glyco/contract';
import type { Logger } from '@glyco/logger';
import { PredictionLogConfigError } from './config-error.ts';
import { readSecretFromAws, type SecretReader } from './database-secret.ts';
import { openPgliteClient } from './pglite-client.ts';
import { openPostgresClient } from './postgres-client.ts';
import type { SqlClient } from './sql-client.ts';

export interface DatabaseOptions {
  /**
   * Where the database is, as the DATABASE_* variables say (`readDatabaseSettings`): without a URL, a secret
   * or a host, the embedded PGlite in `dataDir`; `url: 'off'`, no log; else a PostgreSQL server.
   */
  database?: Partial<DatabaseSettings> | undefined;
  /** PGlite's data directory; default `.glyco/predictions` under the working directory. */
  dataDir?: string | undefined;
  /** Connections to a PostgreSQL server; default 4. */
  poolSize?: number | undefined;
  logger?: Logger | undefined;
  /** How the secret is read; default the AWS SDK. */
  readSecret?: SecretReader | undefined;
}

export type PredictionLogBackend = 'pglite' | 'postgres' | 'off';

/** Where `pnpm start` keeps the embedded database, under the working directory. */
export const DEFAULT_DATA_DIR = join('.glyco', 'predictions');

export function backendOf({ database = {} }: DatabaseOptions): PredictionLogBackend {
  if (database.url === 'off') return 'off';
  if (database.url || database.secretArn || database.host) return 'postgres';
  return 'pglite';
}

export function openSqlClient(
  backend: PredictionLogBackend,
  options: DatabaseOptions,
  logger: Logger,
): Promise<SqlClient> {
  if (backend === 'pglite') return openPgliteClient(options.dataDir ?? DEFAULT_DATA_DIR);
  return openPostgresClient({
    database: options.database ?? {},
    poolSize: positiveInteger(options.poolSize, 4, 'poolSize'),
    logger,
    readSecret: options.readSecret ?? readSecretFromAws,
  });
}

export function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw new PredictionLogConfigError(`prediction log: ${name} must be a positive integer, not ${value}`);
  }
  return value;
}
