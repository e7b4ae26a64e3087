import { Hono } from 'hono';
import type { AppDeps } from '../app-deps.ts';
import { access } from '../auth/access.ts';
import type { AppEnv } from '../http/context.ts';
import { Problem } from '../http/problem.ts';
import { respondJson } from '../http/respond.ts';

/** The manifests of the models served: features, valid ranges, metrics, provenance. */
export function modelRoutes({ models }: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const readers = access(['predict', 'read-metrics']);
  app.get('/v1/models', readers, (c) => respondJson(c, { models: [models.current().manifest] }));
  app.get('/v1/models/:name', readers, (c) => {
    const { manifest } = models.current();
    if (c.req.param('name') !== manifest.name) {
      throw new Problem('not-found', `model "${c.req.param('name')}" is not served here; see GET /v1/models`);
    }
    return respondJson(c, manifest);
  });
  return app;
}
