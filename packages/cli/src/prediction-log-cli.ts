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
 * the server's other variables are not read, a bad one is no reason to refuse the log.
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
 * Runs `work` on the prediction log `open` opens where the server's settings say, and closes it; every failure
 * is one line that starts with the command. `whileServing` says what to do when a server holds the embedded log.
 */
export async function withPredictionLog<Log extends { close(): Promise<void> }, T>(
  command: string,
  open: (options: { database: DatabaseSettings; dataDir: string }) => Promise<Log>,
  work: (log: Log) => Promise<T>,
  whileServing: string,
): Promise<T> {
  const database = databaseSettings(command);
  const embedded = !database.url && !database.secretArn && !database.host;
  if (embedded && !existsSync(DEFAULT_DATA_DIR)) {
    throw new CliError(
      `${command}: no prediction log in ${DEFAULT_DATA_DIR} here: run it where the server runs (pnpm start), or set DATABASE_URL`,
    );
  }
  let log: Log;
  try {
    log = await open({ database, dataDir: DEFAULT_DATA_DIR });
  } catch (error) {
    if (error instanceof PredictionLogConfigError) throw new CliError(`${command}: ${error.message}`, 2);
    if (error instanceof DirectoryInUseError)
      throw new CliError(`${command}: ${error.message}, a running server: ${whileServing}`);
    throw new CliError(`${command}: cannot open the prediction log: ${(error as Error).message}`);
  }
  try {
    return await work(log);
  } catch (error) {
    if (error instanceof CliError) throw error;
    if (error instanceof PredictionLogConfigError) throw new CliError(`${command}: ${error.message}`);
    throw new CliError(`${command}: the prediction log failed: ${(error as Error).message}`);
  } finally {
    await log.close();
  }
}

/** Runs `work` with a reader of the server's prediction log, opened read-only: it never migrates. */
export function withLogReader<T>(
  command: string,
  whileServing: string,
  work: (reader: PredictionLogReader) => Promise<T>,
): Promise<T> {
  return withPredictionLog(command, openPredictionLogReader, (log) => work(log.reader), whileServing);
}
