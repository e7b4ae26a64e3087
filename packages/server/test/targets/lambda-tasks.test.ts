import { type OpenedPredictionLog, openPredictionLog } from '@glyco/prediction-log';
import { describeEachBackend, memoryLogger } from '@glyco/prediction-log/testing';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap.ts';
import { createLambdaHandler } from '../../src/lambda/handler.ts';
import { type LambdaHttpResult, lambdaEvent } from '../../src/testing/lambda-events.ts';
import { JSON_HEADERS, testRuntime } from '../support/fixtures.ts';
import { LAMBDA_CONTEXT } from '../support/lambda-events.ts';
import { IRIS_DIR, IRIS_ROW, PROGRESSION_DIR, PROGRESSION_ROW } from '../support/task-models.ts';

/**
 * A multiclass and a regression model through the Lambda handler with a real prediction log: each answer is
 * stored in its task's columns, its feedback is taken in its task's terms, and the live metrics of drift see it.
 */
describeEachBackend('the Lambda handler logging every task, on $name', (current) => {
  let log: OpenedPredictionLog;
  const runtimes: Runtime[] = [];
  beforeEach(async () => {
    log = await openPredictionLog({
      ...current.db.options,
      spoolDir: current.spoolDir,
      logger: memoryLogger(),
    });
    await log.opened();
  });
  afterEach(async () => {
    for (const runtime of runtimes.splice(0)) await runtime.models.close();
    await log.close();
  });

  async function invokerOf(modelDir: string) {
    const runtime = await testRuntime({
      predictionLog: log,
      env: { MODEL_URI: modelDir, LOG_LEVEL: 'silent' },
    });
    runtimes.push(runtime);
    const handler = createLambdaHandler(runtime);
    return async (method: 'GET' | 'POST', path: string, body?: unknown) => {
      const event = lambdaEvent('http-api-v2', {
        method,
        path,
        headers: JSON_HEADERS,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const result = (await handler(event, LAMBDA_CONTEXT)) as LambdaHttpResult;
      return { status: result.statusCode, body: JSON.parse(result.body ?? 'null') };
    };
  }

  it('stores a multiclass answer and its reported class, and counts it in the live accuracy', async () => {
    const invoke = await invokerOf(IRIS_DIR);
    const answer = await invoke('POST', '/predict', IRIS_ROW);
    expect(answer.status).toBe(200);
    const { request_id: requestId, label, probabilities } = answer.body;

    const feedback = await invoke('POST', '/v1/feedback', { request_id: requestId, outcome: label });
    expect(feedback.status).toBeLessThan(300);
    await log.flush();
    const stored = await log.reader!.labelledPredictions({
      modelName: 'iris',
      modelVersion: '1.0.0',
      limit: 10,
    });
    expect(stored).toEqual([
      {
        prediction: answer.body.prediction,
        probability: expect.closeTo(probabilities[label], 6),
        outcome: answer.body.prediction,
        value: null,
        observedValue: null,
      },
    ]);

    const drift = await invoke('GET', '/v1/models/iris/drift');
    expect(drift.status).toBe(200);
    expect(drift.body.performance).toMatchObject({ task: 'multiclass', outcomes: 1, accuracy: 1 });
    expect(Math.max(...(Object.values(probabilities) as number[]))).toBe(probabilities[label]);
  });

  it('stores a regression value and its reported value, and counts the residual in the live RMSE', async () => {
    const invoke = await invokerOf(PROGRESSION_DIR);
    const answer = await invoke('POST', '/predict', PROGRESSION_ROW);
    expect(answer.status).toBe(200);
    const { request_id: requestId, value } = answer.body;
    expect(typeof value).toBe('number');

    const feedback = await invoke('POST', '/v1/feedback', { request_id: requestId, outcome: value + 10 });
    expect(feedback.status).toBeLessThan(300);
    await log.flush();
    const stored = await log.reader!.labelledPredictions({
      modelName: 'diabetes-progression',
      modelVersion: '1.0.0',
      limit: 10,
    });
    expect(stored).toEqual([
      { prediction: null, probability: null, outcome: null, value, observedValue: value + 10 },
    ]);

    const drift = await invoke('GET', '/v1/models/diabetes-progression/drift');
    expect(drift.status).toBe(200);
    expect(drift.body.performance).toMatchObject({ task: 'regression', outcomes: 1 });
    expect(drift.body.performance.rmse).toBeCloseTo(10, 6);
    expect(drift.body.performance.mean_residual).toBeCloseTo(10, 6);
  });

  it('refuses feedback in another task’s terms, naming the field', async () => {
    const invoke = await invokerOf(PROGRESSION_DIR);
    const answer = await invoke('POST', '/predict', PROGRESSION_ROW);
    const refused = await invoke('POST', '/v1/feedback', {
      request_id: answer.body.request_id,
      outcome: 'high',
    });
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0].pointer).toBe('#/outcome');
  });
});
