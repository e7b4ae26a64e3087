import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPredictionLog } from '../../src/prediction-log/index.ts';
import { type OwnPostgres, ownPostgresUnavailable, startOwnPostgres } from './support/own-postgres.ts';
import { memoryLogger, prediction, waitFor } from './support/records.ts';

const N = 3000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(ownPostgresUnavailable)(
  'PostgreSQL stopped in the middle of a load, then started again',
  () => {
    let server: OwnPostgres;
    let spoolDir: string;
    beforeAll(async () => {
      server = await startOwnPostgres();
      spoolDir = await mkdtemp(join(tmpdir(), 'glyco-outage-spool-'));
    }, 60_000);
    afterAll(async () => {
      await server?.destroy();
      await rm(spoolDir, { recursive: true, force: true });
    });

    it(`ends with exactly the ${N} predictions in the table, no duplicates, none lost`, async () => {
      const logger = memoryLogger();
      const log = await openPredictionLog({
        databaseUrl: server.url,
        spoolDir,
        logger,
        batchRows: 100,
        flushIntervalMs: 20,
        retryIntervalMs: 100,
      });
      const states = new Set<string>();
      // About 6 s of traffic: 10 predictions every 20 ms; the server is down from ~1 s to ~4.5 s.
      const load = (async () => {
        for (let i = 0; i < N; i++) {
          log.record([prediction(`outage-${i}`, 60 + (i % 140))]);
          if (i % 10 === 9) {
            states.add(log.state().state);
            await sleep(20);
          }
        }
      })();
      const outage = (async () => {
        await sleep(1000);
        await server.stop();
        await sleep(3500);
        await server.start();
      })();
      await Promise.all([load, outage]);
      await waitFor('the spool to be replayed', () => log.state().state === 'ok', 20_000);
      await log.close();

      const metrics = log.metrics();
      expect(states).toContain('degraded');
      expect(metrics.spooled).toBeGreaterThan(0);
      expect(metrics.dropped).toBe(0);
      // A batch whose commit was cut off before its acknowledgement is spooled too; its replay is a no-op.
      expect(metrics.written + metrics.replayed).toBe(N);
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      const { rows } = await client.query(
        `SELECT count(*)::int AS n, count(DISTINCT request_id)::int AS ids,
              count(*) FILTER (WHERE request_id !~ '^outage-[0-9]+$')::int AS strangers
       FROM predictions`,
      );
      await client.end();
      expect(rows[0]).toEqual({ n: N, ids: N, strangers: 0 });
      expect(logger.lines.filter((line) => line.level === 'error')).toEqual([]);
    }, 60_000);
  },
);
