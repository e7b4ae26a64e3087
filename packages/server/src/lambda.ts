/**
 * AWS Lambda entry point (`dist/lambda.mjs`, handler `lambda.handler`): API Gateway REST (v1) and HTTP API
 * (v2) events, Function URLs and ALB target groups, through `hono/aws-lambda`. The model is loaded and verified
 * once per execution environment, at init.
 */
import type { Context } from 'aws-lambda';
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import { bootstrap } from './bootstrap.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { isStartupFailure } from './startup-failure.ts';

async function init() {
  try {
    return await bootstrap(loadConfig());
  } catch (error) {
    if (isStartupFailure(error)) {
      const logger = createLogger({ level: 'error' });
      logger.error(error.message, { error: error.name });
      logger.flush();
    }
    throw error;
  }
}

const runtime = await init();
const handleEvent = handle(runtime.app);

export async function handler(event: LambdaEvent, context: Context) {
  try {
    return await handleEvent(event, context);
  } finally {
    // A frozen execution environment runs nothing: the log must be written before the invocation returns.
    await runtime.predictionLog.flush();
    runtime.logger.flush();
  }
}
