import { isModelName } from '@glyco/contract';
import { allLabelledRows, type LabelledRow } from '@glyco/prediction-log';
import type { Context } from 'hono';
import { Hono } from 'hono';
import type { AppDeps } from '../app-deps.ts';
import type { AppEnv } from '../http/context.ts';
import { Problem } from '../http/problem.ts';
import { respond } from '../http/respond.ts';
import { databaseCall, invalidQuery, timeBound } from './prediction-log.ts';

const PARAMETERS = ['since', 'until'];
const PAGE_ROWS = 5000;

/** The peer of the request's connection on the node server; undefined on Lambda, which has no socket. */
function peerAddress(c: Context<AppEnv>): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/**
 * `GET /v1/models/{name}/outcomes`: every logged row of the model (any version) whose outcome was reported, with
 * its inputs, oldest first, as NDJSON ending with `{"complete": true, "rows": n}` so that a reader can tell a
 * whole export from a cut one. It is what `glyco retrain --from-server` reads where the server holds the log
 * (the embedded database admits one process). The rows are health data: only a client on this machine
 * (loopback) may read them; anything that arrives through a load balancer or on Lambda gets 403.
 */
export function outcomesExportRoutes({
  predictionLog,
  logger,
}: Pick<AppDeps, 'predictionLog' | 'logger'>): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/v1/models/:name/outcomes', async (c) => {
    const address = peerAddress(c);
    if (!address || !LOOPBACK.test(address)) {
      throw new Problem('forbidden', 'the labelled rows are exported to clients on this machine only');
    }
    const name = c.req.param('name');
    if (!isModelName(name)) throw new Problem('not-found', `"${name}" is not a model name`);
    const query = c.req.query();
    const unknown = Object.keys(query).find((key) => !PARAMETERS.includes(key));
    if (unknown) throw invalidQuery(unknown, `is not a known parameter; expected ${PARAMETERS.join(', ')}`);
    const since = timeBound(query, 'since');
    const until = timeBound(query, 'until');
    const { reader } = predictionLog;
    if (!reader) throw new Problem('not-ready', 'the prediction log is off (DATABASE_URL=off)');

    const pages = allLabelledRows(reader.labelledRows, { modelName: name, since, until }, PAGE_ROWS);
    // The first page is read before answering, so that a database that cannot answer is a 503, not a cut stream.
    const first = await databaseCall(logger, () => pages.next());
    const encoder = new TextEncoder();
    let rows = 0;
    const lines = (page: LabelledRow[]) => {
      rows += page.length;
      return encoder.encode(page.map((row) => `${JSON.stringify(exported(row))}\n`).join(''));
    };
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        if (!first.done) controller.enqueue(lines(first.value));
      },
      async pull(controller) {
        try {
          const next = first.done ? first : await pages.next();
          if (next.done) {
            controller.enqueue(encoder.encode(`${JSON.stringify({ complete: true, rows })}\n`));
            controller.close();
          } else controller.enqueue(lines(next.value));
        } catch (error) {
          logger.warn('outcomes export failed', { error: (error as Error).message });
          controller.error(error);
        }
      },
      async cancel() {
        await pages.return(undefined);
      },
    });
    return respond(c, body, 'application/x-ndjson');
  });
  return app;
}

function exported(row: LabelledRow) {
  return {
    id: row.id,
    predicted_at: row.predictedAt.toISOString(),
    model_version: row.modelVersion,
    inputs: row.inputs,
    outcome:
      'value' in row.outcome
        ? { value: row.outcome.value }
        : { class_index: row.outcome.classIndex, label: row.outcome.label },
  };
}
