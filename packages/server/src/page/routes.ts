import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppDeps } from '../app-deps.ts';
import { access, PUBLIC } from '../auth/access.ts';
import type { AppEnv } from '../http/context.ts';
import { Problem } from '../http/problem.ts';
import { respondJson } from '../http/respond.ts';
import { runPrediction } from '../prediction/handle-prediction.ts';
import { assetAt } from './assets.ts';
import { type LatestDrift, readDriftStatus } from './drift-status.ts';
import type { Html } from './layout.ts';
import { modelCardPage, TASK_FIGURES, unknownModelPage } from './model-card.ts';
import { hasModelFile, readModelFile } from './model-files.ts';
import { riskFormPage } from './risk-form.ts';
import { readRunsStatus } from './runs-section.ts';
import { parseWhatIf, whatIfResult } from './what-if.ts';

export interface PageDeps extends AppDeps {
  /** The latest drift report, for the model card; without it the card says there is no prediction log. */
  latestDrift?: LatestDrift;
}

/** Pages load scripts, styles, images and data from the app itself, and nothing inline. */
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');
/** A model's SVG opened on its own runs no script and loads nothing (its inline styles are its own). */
const MODEL_FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

function page(c: Context<AppEnv>, status: ContentfulStatusCode, body: Html): Response | Promise<Response> {
  return c.html(body, status, { 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': 'no-cache' });
}

/**
 * The web page for people: `GET /` (the risk form), `GET /models/{name}` (the model card) with the model's
 * figures, the page's own assets, and `POST /what-if`, which sweeps each feature of one row across its valid
 * range in a single batch. What-if rows are not predictions anyone made: they are neither logged nor counted.
 */
export function pageRoutes(deps: PageDeps): Hono<AppEnv> {
  const { models } = deps;
  const app = new Hono<AppEnv>();

  app.get('/', PUBLIC, (c) => page(c, 200, riskFormPage(models.current().manifest)));

  app.get('/models/:name', PUBLIC, async (c) => {
    const { manifest, directory } = models.current();
    const name = c.req.param('name');
    if (name !== manifest.name) return page(c, 404, unknownModelPage(manifest, name));
    const names = TASK_FIGURES[manifest.task];
    const [drift, runs, ...present] = await Promise.all([
      readDriftStatus(manifest, deps),
      readRunsStatus(deps),
      ...names.map((file) => hasModelFile(directory, file)),
    ]);
    const figures = new Set(names.filter((_, i) => present[i]));
    return page(c, 200, modelCardPage({ manifest, figures, drift, runs }));
  });

  app.get('/models/:name/files/:file', PUBLIC, async (c) => {
    const { manifest, directory } = models.current();
    const { name, file } = c.req.param();
    const found = name === manifest.name ? await readModelFile(directory, file) : undefined;
    if (!found) throw new Problem('not-found', `model "${name}" has no file "${file}" to show here`);
    return c.body(new Uint8Array(found.body), 200, {
      'Content-Type': found.contentType,
      'Content-Security-Policy': MODEL_FILE_CSP,
      'Cache-Control': 'no-cache',
    });
  });

  app.get('/assets/:file', PUBLIC, (c) => {
    const asset = assetAt(c.req.path);
    if (!asset) throw new Problem('not-found', `no asset ${c.req.path}`);
    return c.body(asset.body, 200, {
      'Content-Type': asset.contentType,
      'Cache-Control': 'public, max-age=31536000, immutable',
    });
  });

  app.post('/what-if', access(['predict']), async (c) => {
    // What-if rows are no one's predictions: run as a prediction is, but neither counted nor logged.
    const { manifest, rows, answers, requestId } = await runPrediction(c, deps, parseWhatIf);
    return respondJson(c, { ...whatIfResult(manifest, rows.plan, answers), request_id: requestId });
  });

  return app;
}
