import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queryPostgres, waitFor } from '@glyco/prediction-log/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictLoad, startLoggedServer } from './support/logged-server.ts';
import { type OwnPostgres, ownPostgresUnavailable, startOwnPostgres } from './support/own-postgres.ts';

const CLIENTS = 8;
/** Predictions answered before the database stops, and again after it is back. */
const BEFORE = 400;
const AFTER = 400;
const OUTAGE_MS = 3000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(ownPostgresUnavailable)(
  'the node server under load while its PostgreSQL is stopped for a few seconds, then started again',
  () => {
    let database: OwnPostgres;
    let spoolDir: string;
    let server: ChildProcess | undefined;
    beforeAll(async () => {
      database = await startOwnPostgres();
      spoolDir = await mkdtemp(join(tmpdir(), 'glyco-outage-spool-'));
    }, 60_000);
    afterAll(async () => {
      server?.kill('SIGKILL');
      await database?.destroy();
      await rm(spoolDir, { recursive: true, force: true });
    });

    it('serves every prediction through the outage and ends with exactly those rows in the table', async () => {
      const started = await startLoggedServer({
        DATABASE_URL: database.url,
        SPOOL_DIR: spoolDir,
        LOG_FLUSH_INTERVAL_MS: '20',
        LOG_BATCH_ROWS: '100',
        LOG_RETRY_INTERVAL_MS: '100',
      });
      server = started.process;
      const { base, exited } = started;

      let outage: 'before' | 'down' | 'after' = 'before';
      let answeredWhenBack = Number.POSITIVE_INFINITY;
      const load = predictLoad(
        base,
        CLIENTS,
        ({ answered, failures }) => answered.length >= answeredWhenBack + AFTER || failures.length > 0,
      );
      const { answered, failures } = load;
      const logStates = new Set<string>();
      const outageRun = (async () => {
        await waitFor(`${BEFORE} predictions`, () => answered.length >= BEFORE || failures.length > 0);
        await database.stop();
        outage = 'down';
        const answeredAtStop = answered.length;
        const stoppedAt = Date.now();
        while (Date.now() - stoppedAt < OUTAGE_MS) {
          logStates.add(await logState(base));
          await sleep(250);
        }
        const answeredWhileDown = answered.length - answeredAtStop;
        await database.start();
        outage = 'after';
        answeredWhenBack = answered.length;
        return answeredWhileDown;
      })();
      const answeredWhileDown = await Promise.race([
        outageRun,
        sleep(40_000).then(() => {
          throw new Error(`the load did not finish (outage: ${outage}, answered: ${answered.length})`);
        }),
      ]);
      await load.done;

      expect(failures).toEqual([]);
      // Predictions were served while the database was down, and the log said so without failing.
      expect(answeredWhileDown).toBeGreaterThan(0);
      expect(logStates).toContain('degraded');

      await waitFor(
        'the log to write or replay every prediction',
        async () => {
          const metrics = await logMetrics(base);
          return metrics.queueRows === 0 && metrics.spoolBytes === 0 && (await logState(base)) === 'ok';
        },
        20_000,
      );
      const metrics = await logMetrics(base);
      expect(metrics.spooled).toBeGreaterThan(0);
      expect(metrics.dropped).toBe(0);
      server.kill('SIGTERM');
      expect(await exited).toBe(0);

      const rows = await queryPostgres<{ request_id: string; n: number }>(
        database.url,
        'SELECT request_id, count(*)::int AS n FROM predictions GROUP BY request_id',
      );
      const ids = await queryPostgres<{ n: number; ids: number }>(
        database.url,
        'SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM predictions',
      );
      const stored = new Map(rows.map((row) => [row.request_id, row.n]));
      expect(ids[0]).toEqual({ n: answered.length, ids: answered.length });
      expect(answered.filter((id) => stored.get(id) !== 1)).toEqual([]);
      console.info(
        `outage test: ${answered.length} predictions answered 200 by ${CLIENTS} clients, ` +
          `${answeredWhileDown} of them during a ${OUTAGE_MS} ms stop of PostgreSQL; ` +
          `${ids[0]?.n} rows, ${metrics.spooled} spooled, ${metrics.replayed} replayed, ${metrics.duplicates} duplicates skipped`,
      );
    }, 90_000);
  },
);

async function logState(base: string): Promise<string> {
  const ready = (await (await fetch(`${base}/ready`)).json()) as { prediction_log: { state: string } };
  return ready.prediction_log.state;
}

interface LogMetrics {
  written: number;
  replayed: number;
  duplicates: number;
  spooled: number;
  dropped: number;
  queueRows: number;
  spoolBytes: number;
}

/** The log's counters as `/metrics` exposes them to Prometheus. */
async function logMetrics(base: string): Promise<LogMetrics> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const counter = (name: string) => {
    const match = new RegExp(`^glyco_prediction_log_${name} (\\d+)$`, 'm').exec(text);
    if (!match) throw new Error(`/metrics has no glyco_prediction_log_${name}`);
    return Number(match[1]);
  };
  return {
    written: counter('written_total'),
    replayed: counter('replayed_total'),
    duplicates: counter('duplicates_total'),
    spooled: counter('spooled_total'),
    dropped: counter('dropped_total'),
    queueRows: counter('queue_rows'),
    spoolBytes: counter('spool_bytes'),
  };
}
