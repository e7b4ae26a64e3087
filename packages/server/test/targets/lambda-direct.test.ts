/**
 * A Lambda invoked directly (`aws lambda invoke --payload ...`, the SDK's Invoke, Step Functions) gets the
 * payload itself as its event: a prediction request, answered with the prediction's JSON, never the web page.
 */
import { PredictionNotLoggedError } from '@glyco/prediction-log';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap.ts';
import { isHttpEvent } from '../../src/lambda/direct-invocation.ts';
import { createLambdaHandler } from '../../src/lambda/handler.ts';
import { type LambdaHttpResult, lambdaEvent } from '../../src/testing/lambda-events.ts';
import { MANIFEST, recordingLog, testRuntime, VALID_ROW } from '../support/fixtures.ts';
import { LAMBDA_CONTEXT, resultBody } from '../support/lambda-events.ts';

const log = recordingLog();
let runtime: Runtime;
let handler: ReturnType<typeof createLambdaHandler>;
beforeAll(async () => {
  runtime = await testRuntime({ predictionLog: log });
  handler = createLambdaHandler(runtime);
});
afterAll(() => runtime.models.close());

const NAMES = MANIFEST.features.map((feature) => feature.name);
const POSITIONAL = NAMES.map((name) => VALID_ROW[name as keyof typeof VALID_ROW]);
/** What `aws lambda invoke` delivers: the payload file's JSON, parsed, as the event. */
const invoke = (payload: unknown) => handler(structuredClone(payload), LAMBDA_CONTEXT);

/** `/predict`'s answer over HTTP for the same body, the reference for a direct invocation. */
async function overHttp(body: unknown) {
  const res = await runtime.app.request('/predict', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': LAMBDA_CONTEXT.awsRequestId },
    body: JSON.stringify(body),
  });
  return res.json();
}

describe('a direct invocation', () => {
  it('of one row of features is answered with /predict’s answer, the Lambda request id as its id', async () => {
    const answer = await invoke(VALID_ROW);
    expect(answer).toEqual(await overHttp(VALID_ROW));
    expect(answer).toMatchObject({ request_id: LAMBDA_CONTEXT.awsRequestId, label: expect.any(String) });
  });

  it('of a list of rows is answered with one prediction per row', async () => {
    const answer = (await invoke([VALID_ROW, { ...VALID_ROW, glucose: 90 }])) as { predictions: unknown[] };
    expect(answer).toEqual(await overHttp({ instances: [VALID_ROW, { ...VALID_ROW, glucose: 90 }] }));
    expect(answer.predictions).toHaveLength(2);
  });

  it('of {"features": [...]} in the model’s order is answered as the same row by name', async () => {
    expect(await invoke({ features: POSITIONAL })).toEqual(await overHttp(VALID_ROW));
  });

  it('of an MLflow body is answered as /invocations answers it', async () => {
    const answer = await invoke({ dataframe_split: { columns: NAMES, data: [POSITIONAL, POSITIONAL] } });
    const { label } = (await overHttp(VALID_ROW)) as { label: string };
    expect(answer).toEqual({ predictions: [label, label] });
  });

  it('is logged like any other prediction, and the log flushed before it returns', async () => {
    log.records.length = 0;
    const flushes = log.flushes;
    await invoke(VALID_ROW);
    expect(log.records).toHaveLength(1);
    expect(log.records[0]!.requestId).toBe(LAMBDA_CONTEXT.awsRequestId);
    expect(log.flushes).toBe(flushes + 1);
  });

  it.each([
    ['a value out of range', { ...VALID_ROW, age: 200 }, 422, 'age must be at most 120 years'],
    ['an empty event (aws lambda invoke with no payload)', {}, 422, 'pregnant is required'],
    ['a string', 'glucose=148', 422, 'the body must be a JSON object'],
    ['null', null, 422, 'the body must be a JSON object'],
    [
      'an MLflow body with a bad value',
      { dataframe_records: [{ ...VALID_ROW, mass: -1 }] },
      400,
      'dataframe_records[0].mass',
    ],
  ])(
    'refused (%s) is answered with the problem details as JSON, not the page',
    async (_case, payload, status, detail) => {
      const answer = (await invoke(payload)) as { status: number; detail: string; errors: unknown[] };
      expect(answer).not.toHaveProperty('statusCode');
      expect(answer.status).toBe(status);
      expect(answer.detail.startsWith(detail)).toBe(true);
      expect(answer.errors.length).toBeGreaterThan(0);
    },
  );

  it('that fails on the server’s side is a function error, so Lambda retries an asynchronous one', async () => {
    const failingLog = {
      ...recordingLog(),
      record: () => Promise.reject(new PredictionNotLoggedError('the spool is full')),
    };
    const failing = await testRuntime({ predictionLog: failingLog });
    try {
      await expect(createLambdaHandler(failing)(VALID_ROW, LAMBDA_CONTEXT)).rejects.toThrow(
        /^the prediction could not be logged \(the spool is full\)/,
      );
    } finally {
      await failing.models.close();
    }
  });
});

describe('HTTP events', () => {
  it.each(['rest-api-v1', 'http-api-v2', 'function-url', 'alb'] as const)(
    'from %s are told apart from a payload, and a JSON body without Content-Type is read',
    async (source) => {
      const event = lambdaEvent(source, {
        method: 'POST',
        path: '/predict',
        headers: {},
        body: JSON.stringify(VALID_ROW),
      });
      expect(isHttpEvent(event)).toBe(true);
      const result = (await handler(event, LAMBDA_CONTEXT)) as LambdaHttpResult;
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(resultBody(result))).toMatchObject({ label: expect.any(String) });
    },
  );

  it('are not mistaken for payloads that look a little like them', () => {
    expect(isHttpEvent({ httpMethod: 'POST', ...VALID_ROW })).toBe(false);
    expect(isHttpEvent({ requestContext: {}, ...VALID_ROW })).toBe(false);
    expect(isHttpEvent([VALID_ROW])).toBe(false);
  });
});
