import { Hono } from 'hono';
import type { AppEnv } from '../../src/http/context.ts';
import { Problem } from '../../src/http/problem.ts';
import { problemResponse } from '../../src/http/problem-response.ts';

/** Routes mounted as the app mounts them: a request id per request, Problems rendered as problem+json. */
export function mountedAsTheApp(routes: Hono<AppEnv>): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set('requestId', 'test-request');
    await next();
  });
  app.onError((error, c) => {
    if (error instanceof Problem) return problemResponse(c, error);
    throw error;
  });
  app.route('/', routes);
  return app;
}
