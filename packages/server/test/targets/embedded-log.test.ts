/**
 * The node server as `pnpm start` runs it: no DATABASE_URL, so the prediction log is the embedded PGlite under
 * the working directory, which takes seconds to create. Serving must not wait for it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queryPglite } from '@glyco/prediction-log/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSON_HEADERS, MANIFEST, VALID_ROW } from '../support/fixtures.ts';
import { type ServerProcess, startServerProcess } from '../support/server-process.ts';

const OPEN_LINE = 'prediction log: database open';

describe('the node server with the embedded prediction log', () => {
  let cwd: string;
  let server: ServerProcess;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'glyco-embedded-'));
    server = await startServerProcess({ DATABASE_URL: '' }, undefined, cwd);
  }, 30_000);
  afterAll(async () => {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await rm(cwd, { recursive: true, force: true });
  });

  const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;
  const predict = (requestId: string) =>
    fetch(url('/predict'), {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'x-request-id': requestId },
      body: JSON.stringify(VALID_ROW),
    });

  it('answers predictions before its new database is even created, stores them once it is, and serves feedback, drift and metrics from it', async () => {
    expect((await predict('before-open')).status).toBe(200);
    // A new embedded database takes seconds to create: the answer came first.
    expect(server.lines.some((line) => line.msg === OPEN_LINE)).toBe(false);
    const ready = (await (await fetch(url('/ready'))).json()) as { prediction_log: { state: string } };
    expect(ready.prediction_log.state).toBe('starting');

    const deadline = Date.now() + 20_000;
    while (!server.lines.some((line) => line.msg === OPEN_LINE) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // A new database gets every migration: the first schema, every task's columns, the client column, the
    // monthly partitions.
    expect(server.lines.find((line) => line.msg === OPEN_LINE)).toMatchObject({
      migrations_applied: [1, 2, 3, 4],
    });
    expect((await (await fetch(url('/ready'))).json()).prediction_log).toEqual({ state: 'ok' });
    // A client that reuses a request id loses nothing from the audit log.
    expect((await predict('after-open')).status).toBe(200);
    expect((await predict('after-open')).status).toBe(200);

    const metrics = await (await fetch(url('/metrics'))).text();
    expect(metrics).toMatch(/^glyco_prediction_log_queued_total 3$/m);
    expect(metrics).toMatch(/^glyco_prediction_log_dropped_total 0$/m);
    expect(metrics).toMatch(/^glyco_prediction_log_state\{state="ok"\} 1$/m);

    const feedback = await fetch(url('/v1/feedback'), {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ request_id: 'before-open', outcome: 1 }),
    });
    expect(feedback.status).toBe(200);
    const drift = await fetch(url(`/v1/models/${MANIFEST.name}/drift`));
    expect(drift.status).toBe(200);
    expect(((await drift.json()) as { rows: unknown }).rows).toEqual({ analysed: 3, total: 3 });
    const card = await (await fetch(url(`/models/${MANIFEST.name}`))).text();
    expect(card).not.toContain('No prediction log.');

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const rows = await queryPglite(
      join(cwd, '.glyco/predictions'),
      'SELECT request_id, observed_outcome FROM predictions ORDER BY id',
    );
    expect(rows).toEqual([
      { request_id: 'before-open', observed_outcome: 1 },
      { request_id: 'after-open', observed_outcome: null },
      { request_id: 'after-open', observed_outcome: null },
    ]);
  }, 40_000);
});
