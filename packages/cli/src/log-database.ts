import { existsSync } from 'node:fs';
import { ConfigError, type DatabaseSettings, readDatabaseSettings, readSettings } from '@glyco/contract';
import {
  DEFAULT_DATA_DIR,
  DirectoryInUseError,
  openPredictionLogReader,
  PredictionLogConfigError,
  type PredictionLogReader,
} from '@glyco/prediction-log';
import { CliError } from './cli.ts';

/**
 * The DATABASE_* variables, read as the server reads them, so a command opens the database the server writes to;
 * the server's other variables are not read, a bad one is no reason to refuse reading the log.
 */
function databaseSettings(command: string): DatabaseSettings {
  try {
    return readSettings(process.env, readDatabaseSettings);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`${command}: ${error.message}`, 2);
    throw error;
  }
}

/**
 * Runs `work` with a reader of the server's prediction log, opened read-only (it never migrates): a PostgreSQL
 * server, or the embedded database here, which a running server holds (`serverHint` says what to do then).
 */
export async function withLogReader<T>(
  command: string,
  serverHint: string,
  work: (reader: PredictionLogReader) => Promise<T>,
): Promise<T> {
  const database = databaseSettings(command);
  const embedded = !database.url && !database.secretArn && !database.host;
  if (embedded && !existsSync(DEFAULT_DATA_DIR)) {
    throw new CliError(
      `${command}: no prediction log in ${DEFAULT_DATA_DIR} here: run it where the server runs (pnpm start), or set DATABASE_URL`,
    );
  }
  let log: Awaited<ReturnType<typeof openPredictionLogReader>>;
  try {
    log = await openPredictionLogReader({ database, dataDir: DEFAULT_DATA_DIR });
  } catch (error) {
    if (error instanceof PredictionLogConfigError) throw new CliError(`${command}: ${error.message}`, 2);
    if (error instanceof DirectoryInUseError) {
      throw new CliError(`${command}: ${error.message}, a running server: ${serverHint}`);
    }
    throw new CliError(`${command}: cannot open the prediction log: ${(error as Error).message}`);
  }
  try {
    return await work(log.reader);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${command}: reading the prediction log failed: ${(error as Error).message}`);
  } finally {
    await log.close();
  }
}
