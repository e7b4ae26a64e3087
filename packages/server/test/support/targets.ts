import { loadConfig } from '../../src/config.ts';
import { startServer } from '../../src/node/server.ts';
import {
  type EventSource,
  type HttpRequest,
  type LambdaHttpResult,
  lambdaEvent,
} from '../../src/testing/lambda-events.ts';
import { VALID_ROW } from './fixtures.ts';
import { LAMBDA_CONTEXT, resultBody, resultHeader } from './lambda-events.ts';

/** An answer as a test compares it: the status, the headers it looks at (by lower-case name), the body. */
export interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

/**
 * The node server on loopback and the Lambda handler (src/lambda/main.ts, once per test file), both configured
 * from `env`, and how to ask each the same request; answers keep the headers named in `headerNames`.
 */
export async function startTargets(env: Record<string, string>, headerNames: readonly string[]) {
  Object.assign(process.env, env);
  const [server, { handler }] = await Promise.all([
    startServer({ ...loadConfig(env), host: '127.0.0.1', port: 0 }),
    import('../../src/lambda/main.ts') as Promise<{
      handler: (event: unknown, context: unknown) => Promise<LambdaHttpResult>;
    }>,
  ]);
  const pick = (header: (name: string) => string | undefined) =>
    Object.fromEntries(headerNames.map((name) => [name, header(name)]));
  return {
    async overHttp(req: HttpRequest): Promise<Answer> {
      // Bytes, not a string: fetch would declare a string body text/plain, and Lambda events hold what was sent.
      const res = await fetch(`${server.url}${req.path}`, {
        method: req.method,
        headers: req.headers,
        body: req.body === undefined ? undefined : new TextEncoder().encode(req.body),
      });
      return {
        status: res.status,
        headers: pick((name) => res.headers.get(name) ?? undefined),
        body: await res.text(),
      };
    },
    async throughLambda(source: EventSource, req: HttpRequest): Promise<Answer> {
      const result = await handler(lambdaEvent(source, req), LAMBDA_CONTEXT);
      return {
        status: result.statusCode,
        headers: pick((name) => resultHeader(result, name)),
        body: resultBody(result),
      };
    },
    shutdown: () => server.shutdown(),
  };
}

export type Targets = Awaited<ReturnType<typeof startTargets>>;

/**
 * The status each target answers `POST /predict` of a valid row sent with `apiKey`: [node server over HTTP,
 * Lambda handler as an HTTP API invokes it].
 */
export async function predictStatuses(targets: Targets, apiKey: string): Promise<number[]> {
  const request: HttpRequest = {
    method: 'POST',
    path: '/predict',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify(VALID_ROW),
  };
  return [
    (await targets.overHttp(request)).status,
    (await targets.throughLambda('http-api-v2', request)).status,
  ];
}
