/**
 * Node server entry point (`node dist/server.mjs`, or `node src/server-main.ts` in the source tree): ECS, EKS
 * and local. Configured by environment variables only; see config.ts.
 */
import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { exitOnSignals, startServer } from './node-server.ts';
import { isStartupFailure } from './startup-failure.ts';

try {
  const config = loadConfig();
  exitOnSignals(await startServer(config));
} catch (error) {
  if (!isStartupFailure(error)) throw error;
  const logger = createLogger({ level: 'error' });
  logger.error(error.message, { error: error.name });
  logger.flush();
  process.exit(1);
}
