import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap.ts';
import { createLambdaHandler } from '../../src/lambda/handler.ts';
import { type LambdaHttpResult, lambdaEvent } from '../../src/testing/lambda-events.ts';
import { JSON_HEADERS, recordingLog, testRuntime, VALID_ROW } from '../support/fixtures.ts';
import { LAMBDA_CONTEXT } from '../support/lambda-events.ts';

const log = recordingLog();
let runtime: Runtime;
beforeAll(async () => {
  runtime = await testRuntime({ predictionLog: log });
});
afterAll(() => runtime.models.close());

describe('the Lambda handler', () => {
  it('has the prediction log flushed, with this invocation’s records, before it returns', async () => {
    let recordsAtFlush = -1;
    const flushingLog = {
      ...log,
      async flush() {
        recordsAtFlush = log.records.length;
      },
    };
    const handler = createLambdaHandler({ ...runtime, predictionLog: flushingLog });
    const event = lambdaEvent('rest-api-v1', {
      method: 'POST',
      path: '/predict',
      headers: JSON_HEADERS,
      body: JSON.stringify({ instances: [VALID_ROW, VALID_ROW] }),
    });
    const result = (await handler(event, LAMBDA_CONTEXT)) as LambdaHttpResult;
    expect(result.statusCode).toBe(200);
    expect(recordsAtFlush).toBe(2);
  });

  it('flushes even when the request is refused', async () => {
    const before = log.flushes;
    const handler = createLambdaHandler({ ...runtime, predictionLog: log });
    const event = lambdaEvent('alb', { method: 'POST', path: '/predict', headers: JSON_HEADERS, body: '{' });
    expect(((await handler(event, LAMBDA_CONTEXT)) as LambdaHttpResult).statusCode).toBe(400);
    expect(log.flushes).toBe(before + 1);
  });
});
