/**
 * AWS Lambda entry point (`dist/lambda.mjs`, handler `lambda.handler`). The model is loaded and verified once
 * per execution environment, at init; configuration comes from environment variables (see config.ts).
 */
import { createLogger, type Logger } from '@glyco/logger';
import { bootstrap } from '../bootstrap.ts';
import { loadConfig } from '../config.ts';
import { isStartupFailure, reportStartupFailure } from '../startup-failure.ts';
import { createLambdaHandler } from './handler.ts';

async function init() {
  let logger: Logger | undefined;
  try {
    const config = loadConfig();
    logger = createLogger({ level: config.logLevel });
    return await bootstrap(config, { logger });
  } catch (error) {
    logger?.flush();
    if (isStartupFailure(error)) reportStartupFailure(error);
    throw error;
  }
}

export const handler = createLambdaHandler(await init());
