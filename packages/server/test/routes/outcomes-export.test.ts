import type { AddressInfo } from 'node:net';
import { type OpenedPredictionLog, openPredictionLog } from '@glyco/prediction-log';
import { describeEachBackend, memoryLogger, prediction } from '@glyco/prediction-log/testing';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { AppEnv } from '../../src/http/context.ts';
import { outcomesExportRoutes } from '../../src/routes/outcomes-export.ts';
import { mountedAsTheApp } from '../support/mounted-routes.ts';

const testApp = (log: OpenedPredictionLog) =>
  mountedAsTheApp(outcomesExportRoutes({ predictionLog: log, logger: memoryLogger() }));

describeEachBackend('GET /v1/models/{name}/outcomes on $name', (current) => {
  let log: OpenedPredictionLog;
  let app: Hono<AppEnv>;
  let server: ReturnType<typeof serve>;
  let base: string;
  beforeEach(async () => {
    log = await openPredictionLog({
      ...current.db.options,
      spoolDir: current.spoolDir,
      logger: memoryLogger(),
    });
    app = testApp(log);
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    await log.close();
  });

  it('streams the labelled rows of every version to a client on this machine, then says it is complete', async () => {
    const start = Date.parse('2026-12-01T00:00:00Z');
    for (let i = 0; i < 5; i++) {
      log.record([
        { ...prediction(`req-${i}`, 90 + i, i < 3 ? '1.0.0' : '1.1.0'), time: new Date(start + i) },
      ]);
    }
    log.record([{ ...prediction('other', 100), modelName: 'other-model' }]);
    await log.flush();
    for (const [modelName, requestId, classIndex] of [
      ['pima-diabetes', 'req-1', 1],
      ['pima-diabetes', 'req-3', 0],
      ['pima-diabetes', 'req-4', 1],
      ['other-model', 'other', 1],
    ] as const) {
      await log.reader!.recordOutcome(modelName, requestId, 0, {
        classIndex,
        label: ['neg', 'pos'][classIndex]!,
      });
    }

    const response = await fetch(`${base}/v1/models/pima-diabetes/outcomes`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const lines = (await response.text())
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.at(-1)).toEqual({ complete: true, rows: 3 });
    expect(lines.slice(0, -1)).toEqual([
      expect.objectContaining({
        model_version: '1.0.0',
        outcome: { class_index: 1, label: 'pos' },
        predicted_at: '2026-12-01T00:00:00.001Z',
      }),
      expect.objectContaining({
        model_version: '1.1.0',
        outcome: { class_index: 0, label: 'neg' },
        inputs: expect.objectContaining({ glucose: 93 }),
      }),
      expect.objectContaining({
        model_version: '1.1.0',
        outcome: { class_index: 1, label: 'pos' },
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      }),
    ]);

    const since = await fetch(`${base}/v1/models/pima-diabetes/outcomes?since=2026-12-01T00:00:00.003Z`);
    expect((await since.text()).trimEnd().split('\n')).toHaveLength(3);
    const empty = await fetch(`${base}/v1/models/no-such-model/outcomes`);
    expect(await empty.text()).toBe('{"complete":true,"rows":0}\n');
  });

  it('answers 422 naming an unknown or unreadable parameter', async () => {
    const unknown = await fetch(`${base}/v1/models/pima-diabetes/outcomes?limit=5`);
    expect(unknown.status).toBe(422);
    expect((await unknown.json()).detail).toBe(
      'query parameter limit is not a known parameter; expected since, until',
    );
    const since = await fetch(`${base}/v1/models/pima-diabetes/outcomes?since=yesterday`);
    expect(since.status).toBe(422);
    expect((await since.json()).errors[0].pointer).toBe('#/since');
  });

  it('refuses a client elsewhere (through a load balancer) and one with no socket (Lambda) with 403', async () => {
    const remote = { incoming: { socket: { remoteAddress: '10.20.1.7' } } };
    for (const env of [remote, undefined]) {
      const response = await app.request('/v1/models/pima-diabetes/outcomes', {}, env);
      expect(response.status).toBe(403);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect((await response.json()).detail).toBe(
        'the labelled rows are exported to clients on this machine only',
      );
    }
  });
});
