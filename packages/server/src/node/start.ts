/** Starts the node server from the environment (see config.ts); loaded by main.ts. */
import { createLogger, type Logger } from '@glyco/logger';
import { loadConfig } from '../config.ts';
import { isStartupFailure, reportStartupFailure } from '../startup-failure.ts';
import { exitOnSignals, startServer } from './server.ts';

let logger: Logger | undefined;
try {
  const config = loadConfig();
  logger = createLogger({ level: config.logLevel });
  exitOnSignals(await startServer(config, { logger }));
} catch (error) {
  if (!isStartupFailure(error)) throw error;
  logger?.flush();
  reportStartupFailure(error);
  process.exit(1);
}
