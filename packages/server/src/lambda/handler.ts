import type { Context } from 'aws-lambda';
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import type { Runtime } from '../bootstrap.ts';

/**
 * A Lambda handler over the app: API Gateway REST (v1) and HTTP API (v2) events, Function URLs and ALB target
 * groups, through `hono/aws-lambda`. A frozen execution environment runs nothing, so the prediction log and
 * the log lines are flushed before each invocation returns.
 */
export function createLambdaHandler(runtime: Pick<Runtime, 'app' | 'predictionLog' | 'logger'>) {
  const handleEvent = handle(runtime.app);
  return async function handler(event: LambdaEvent, context: Context) {
    try {
      return await handleEvent(event, context);
    } finally {
      await runtime.predictionLog.flush();
      runtime.logger.flush();
    }
  };
}
