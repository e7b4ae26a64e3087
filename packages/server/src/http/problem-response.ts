import type { Context } from 'hono';
import type { AppEnv } from './context.ts';
import type { Problem } from './problem.ts';
import { respond } from './respond.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * Renders a Problem as RFC 9457 JSON. Open Inference Protocol clients read a top-level `error` string, so on
 * `/v2/` routes the detail is repeated there (RFC 9457 allows extension members).
 */
export function problemResponse(c: Context<AppEnv>, problem: Problem): Response {
  const body = problem.body(c.get('requestId'));
  const payload = c.req.path.startsWith('/v2/') ? { ...body, error: body.detail } : body;
  return respond(c, JSON.stringify(payload), PROBLEM_CONTENT_TYPE, problem.status, problem.headers);
}
