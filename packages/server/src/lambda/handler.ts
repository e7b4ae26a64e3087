import type { Context } from 'aws-lambda';
import { handle } from 'hono/aws-lambda';
import type { Runtime } from '../bootstrap.ts';
import { invokeDirectly, isHttpEvent } from './direct-invocation.ts';

/**
 * A Lambda handler over the app: API Gateway REST (v1) and HTTP API (v2) events, Function URLs and ALB target
 * groups, through `hono/aws-lambda`; any other event is a direct invocation whose payload is a prediction
 * request, answered with the prediction's JSON. A frozen execution environment runs nothing, so the prediction
 * log and the log lines are flushed before each invocation returns.
 */
export function createLambdaHandler(runtime: Pick<Runtime, 'app' | 'predictionLog' | 'logger'>) {
  const handleHttp = handle(runtime.app);
  return async function handler(event: unknown, context: Context) {
    try {
      return isHttpEvent(event)
        ? await handleHttp(event, context)
        : await invokeDirectly(runtime.app, event, context);
    } finally {
      await runtime.predictionLog.flush();
      runtime.logger.flush();
    }
  };
}
