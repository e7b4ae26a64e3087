import type { ModelManifest } from '@glyco/contract';
import { type OpenedPredictionLog, openPredictionLog } from '@glyco/prediction-log';
import {
  bundledManifest,
  classPrediction,
  describeEachBackend,
  memoryLogger,
  prediction,
  sampleRows,
  valuePrediction,
} from '@glyco/prediction-log/testing';
import type { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/http/context.ts';
import { logRoutes } from '../../src/routes/prediction-log.ts';
import { mountedAsTheApp } from '../support/mounted-routes.ts';

const manifest = bundledManifest();

const testApp = (log: Pick<OpenedPredictionLog, 'reader' | 'flush'>, served: ModelManifest = manifest) =>
  mountedAsTheApp(logRoutes({ log, served: () => served, logger: memoryLogger() }));

const feedback = (app: Hono<AppEnv>, body: unknown, contentType = 'application/json') =>
  app.request('/v1/feedback', {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describeEachBackend('feedback and drift routes on $name', (current) => {
  let log: OpenedPredictionLog;
  let app: Hono<AppEnv>;
  beforeEach(async () => {
    log = await openPredictionLog({
      ...current.db.options,
      spoolDir: current.spoolDir,
      logger: memoryLogger(),
    });
    app = testApp(log);
  });
  afterEach(async () => {
    await log.close();
  });

  it('stores the observed outcome of a just-made prediction, by request id and row index', async () => {
    log.record([prediction('req-a', 90), prediction('req-a', 210)]);
    const response = await feedback(app, { request_id: 'req-a', index: 1, outcome: 1 });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ request_id: 'req-a', index: 1, outcome: 1, label: 'pos' });
    await feedback(app, { request_id: 'req-a', outcome: 0 });
    const rows = await log.reader!.labelledPredictions({
      modelName: 'pima-diabetes',
      modelVersion: '1.0.0',
      limit: 10,
    });
    expect(rows.map((row) => row.outcome).sort()).toEqual([0, 1]);
  });

  it('applies an outcome to every prediction logged under a reused request id and that row index', async () => {
    log.record([prediction('reused', 90)]);
    log.record([prediction('reused', 210)]);
    expect((await feedback(app, { request_id: 'reused', outcome: 1 })).status).toBe(200);
    const rows = await log.reader!.labelledPredictions({
      modelName: 'pima-diabetes',
      modelVersion: '1.0.0',
      limit: 10,
    });
    expect(rows.map((row) => row.outcome)).toEqual([1, 1]);
  });

  it('answers 404 problem+json naming request_id for a prediction that was never logged', async () => {
    const response = await feedback(app, { request_id: 'never-made', outcome: 1 });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const problem = await response.json();
    expect(problem).toMatchObject({ status: 404, errors: [{ pointer: '#/request_id' }] });
    expect(problem.detail).toContain('never-made');
  });

  it.each([
    [{ request_id: 'x', outcome: 2 }, '#/outcome', 'must be 0 or 1'],
    [{ request_id: 'x', outcome: '1' }, '#/outcome', 'must be 0 or 1'],
    [{ request_id: 'x', outcome: 'Pos' }, '#/outcome', `or its label, "neg", "pos"; did you mean "pos"?`],
    [{ request_id: 'x', outcome: true }, '#/outcome', 'must be 0 or 1'],
    [{ outcome: 1 }, '#/request_id', 'must be the request_id of a prediction'],
    [{ request_id: 'x', outcome: 1, index: -1 }, '#/index', 'must be 0 or more'],
    [{ request_id: 'x', outcome: 1, label: 'pos' }, '#/label', 'is not a known field'],
  ])('answers 422 naming the field for %j', async (body, pointer, detail) => {
    const response = await feedback(app, body);
    expect(response.status).toBe(422);
    const problem = await response.json();
    expect(problem.errors[0].pointer).toBe(pointer);
    expect(problem.errors[0].detail).toContain(detail);
  });

  // Issue 18, failure 2: both bodies reached the database and were answered 503, as if it were down.
  it.each([
    [{ request_id: '\u0000', outcome: 0 }, '#/request_id', 'must be a request id as predictions carry'],
    [{ request_id: 'a b', outcome: 0 }, '#/request_id', 'must be a request id as predictions carry'],
    [{ request_id: 'x', outcome: 1, index: 2147483648 }, '#/index', 'must be at most 2147483647'],
  ])('answers 422 naming the field, before the database, for %j', async (body, pointer, detail) => {
    const response = await feedback(app, body);
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const problem = await response.json();
    expect(problem.errors).toEqual([{ pointer, detail: expect.stringContaining(detail) }]);
  });

  it('answers 422, not 503, when the database itself refuses a value', async () => {
    // A value validation lets through would reach the database: here a NUL added behind validation's back.
    const reader = log.reader!;
    const unchecked = testApp({
      flush: () => log.flush(),
      reader: {
        ...reader,
        recordOutcome: (model, requestId, index, outcome) =>
          reader.recordOutcome(model, `${requestId}\u0000`, index, outcome),
      },
    });
    const response = await feedback(unchecked, { request_id: 'req-a', outcome: 1 });
    expect(response.status).toBe(422);
    expect((await response.json()).detail).toMatch(
      /^the prediction log refused a value of this request \(SQLSTATE 22/,
    );
  });

  it('takes a class label for a multiclass model, and a number for a regression model', async () => {
    const iris = testApp(log, bundledManifest('iris/1.0.0'));
    log.record([classPrediction('iris-1', [0.1, 0.2, 0.7])]);
    const byLabel = await feedback(iris, { request_id: 'iris-1', outcome: 'versicolor' });
    expect(byLabel.status).toBe(200);
    expect(await byLabel.json()).toEqual({
      request_id: 'iris-1',
      index: 0,
      outcome: 'versicolor',
      label: 'versicolor',
    });
    const unknown = await (await feedback(iris, { request_id: 'iris-1', outcome: 'Setosa' })).json();
    expect(unknown).toMatchObject({
      status: 422,
      errors: [
        {
          pointer: '#/outcome',
          detail:
            'must be one of the class labels "setosa", "versicolor", "virginica"; did you mean "setosa"?',
        },
      ],
    });
    expect((await feedback(iris, { request_id: 'iris-1', outcome: 1 })).status).toBe(422);
    const classes = await log.reader!.labelledPredictions({
      modelName: 'iris',
      modelVersion: '1.0.0',
      limit: 5,
    });
    expect(classes).toEqual([
      { prediction: 2, probability: 0.7, outcome: 1, value: null, observedValue: null },
    ]);

    const progression = testApp(log, bundledManifest('diabetes-progression/1.0.0'));
    log.record([valuePrediction('value-1', 140.5)]);
    expect(await (await feedback(progression, { request_id: 'value-1', outcome: 162 })).json()).toEqual({
      request_id: 'value-1',
      index: 0,
      outcome: 162,
    });
    const text = await (await feedback(progression, { request_id: 'value-1', outcome: 'high' })).json();
    expect(text.errors).toEqual([
      { pointer: '#/outcome', detail: 'must be a number: the observed progression' },
    ]);
    // One such value would make the live RMSE overflow to null.
    const huge = await (await feedback(progression, { request_id: 'value-1', outcome: 1e308 })).json();
    const regression = bundledManifest('diabetes-progression/1.0.0');
    if (regression.task !== 'regression') throw new Error('diabetes-progression is a regression model');
    const { min, max } = regression.trainingData.targetSummary;
    expect(huge.errors[0].detail).toMatch(
      new RegExp(`^must be from ${min - 10 * (max - min)} to ${max + 10 * (max - min)}[ :]`),
    );
    const values = await log.reader!.labelledPredictions({
      modelName: 'diabetes-progression',
      modelVersion: '1.0.0',
      limit: 5,
    });
    expect(values).toEqual([
      { prediction: null, probability: null, outcome: null, value: 140.5, observedValue: 162 },
    ]);
    // A prediction of another model under the same request id is not this model's to label.
    expect((await feedback(progression, { request_id: 'iris-1', outcome: 3 })).status).toBe(404);
  });

  it('takes a number for a class whose label spells it otherwise, as 2 for "2.0"', async () => {
    const iris = bundledManifest('iris/1.0.0');
    if (iris.task !== 'multiclass') throw new Error('iris is a multiclass model');
    const floats = { ...iris, target: { ...iris.target, classLabels: ['0.0', '1.0', '2.0'] } };
    log.record([classPrediction('float-1', [0.1, 0.2, 0.7])]);
    const response = await feedback(testApp(log, floats), { request_id: 'float-1', outcome: 2 });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ outcome: 2, label: '2.0' });
  });

  it('answers 400 to a body that is not JSON and 415 to one that is not declared JSON', async () => {
    expect((await feedback(app, '{"request_id":')).status).toBe(400);
    expect((await feedback(app, 'request_id=x', 'application/x-www-form-urlencoded')).status).toBe(415);
  });

  it('serves the drift report of the served model version over its logged predictions', async () => {
    sampleRows(manifest, 600, 11, { glucose: 35 }).forEach((inputs, i) => {
      log.record([{ ...prediction(`drift-${i}`), inputs }]);
    });
    log.record([prediction('other-version', 120, '0.9.0')]);
    await log.flush();
    const response = await app.request('/v1/models/pima-diabetes/drift?since=1h');
    expect(response.status).toBe(200);
    const report = await response.json();
    expect(report.model).toEqual({ name: 'pima-diabetes', version: '1.0.0' });
    expect(report.rows).toEqual({ analysed: 600, total: 600 });
    expect(report.drifted).toEqual(['glucose']);
    expect(report.window.since).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('answers 404 for a model it does not serve and 422 naming a bad query parameter', async () => {
    expect((await app.request('/v1/models/unknown/drift')).status).toBe(404);
    const badSince = await (await app.request('/v1/models/pima-diabetes/drift?since=yesterday')).json();
    expect(badSince).toMatchObject({ status: 422, errors: [{ pointer: '#/since' }] });
    const typo = await (await app.request('/v1/models/pima-diabetes/drift?sinse=1h')).json();
    expect(typo).toMatchObject({ status: 422, errors: [{ pointer: '#/sinse' }] });
    const limit = await (await app.request('/v1/models/pima-diabetes/drift?limit=0')).json();
    expect(limit).toMatchObject({ status: 422, errors: [{ pointer: '#/limit' }] });
    const inverted = await app.request('/v1/models/pima-diabetes/drift?since=2026-02-01&until=2026-01-01');
    expect(inverted.status).toBe(422);
  });
});

describe('feedback and drift routes without a log', () => {
  it('answer 503 saying the log is off', async () => {
    const app = testApp({ reader: undefined, flush: async () => {} });
    const response = await feedback(app, { request_id: 'x', outcome: 1 });
    expect(response.status).toBe(503);
    expect((await response.json()).detail).toContain('DATABASE_URL=off');
    expect((await app.request('/v1/models/pima-diabetes/drift')).status).toBe(503);
  });

  it('answer 503 without the database error when the database fails', async () => {
    const failing = async () => {
      throw new Error('connect ECONNREFUSED 10.1.2.3:5432 user=admin');
    };
    const reader = {
      recordOutcome: failing,
      loggedInputs: failing,
      labelledPredictions: failing,
      labelledRows: failing,
    };
    const app = testApp({ reader, flush: async () => {} });
    const response = await app.request('/v1/models/pima-diabetes/drift');
    expect(response.status).toBe(503);
    expect(JSON.stringify(await response.json())).not.toContain('10.1.2.3');
  });
});
