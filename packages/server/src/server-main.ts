/**
 * Node server entry point (`node dist/server.mjs`, or `node src/server-main.ts` in the source tree): ECS, EKS
 * and local. Configured by environment variables only; see config.ts.
 */
import { loadConfig } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { exitOnSignals, startServer } from './node-server.ts';
import { isStartupFailure, reportStartupFailure } from './startup-failure.ts';

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
