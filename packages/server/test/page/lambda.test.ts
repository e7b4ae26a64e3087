import type { Context } from 'aws-lambda';
import type { LambdaEvent } from 'hono/aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningServer } from '../../src/node/server.ts';
import { type EventSource, type LambdaHttpResult, lambdaEvent } from '../../src/testing/lambda-events.ts';
import { resultBody, resultHeader } from '../support/lambda-events.ts';
import { startTestServer, VALID_ROW } from './page-fixture.ts';

const PAGE_HEADERS = { accept: 'text/html', 'content-type': 'application/json', 'user-agent': 'Mozilla/5.0' };

/** What an API Gateway front end sends for a request from the page. */
const eventFrom = (source: EventSource) => (method: string, path: string, body?: string) =>
  lambdaEvent(source, { method, path, headers: PAGE_HEADERS, ...(body !== undefined && { body }) });

let handler: (event: LambdaEvent, context: Context) => Promise<unknown>;
let server: RunningServer;

beforeAll(async () => {
  // The handler reads its configuration from the environment when its module loads, as on Lambda.
  vi.stubEnv('DATABASE_URL', 'off');
  vi.stubEnv('LOG_LEVEL', 'silent');
  vi.stubEnv('MODEL_URI', '');
  [{ handler }, server] = await Promise.all([import('../../src/lambda/main.ts'), startTestServer()]);
}, 30_000);

afterAll(async () => {
  await server?.shutdown();
  vi.unstubAllEnvs();
});

const invoke = async (event: LambdaEvent) => (await handler(event, {} as Context)) as LambdaHttpResult;

describe.each([
  ['API Gateway REST (v1)', eventFrom('rest-api-v1')],
  ['API Gateway HTTP API (v2)', eventFrom('http-api-v2')],
])('the page behind the Lambda handler, %s', (_, event) => {
  it('renders / as the same HTML, with the same headers, as the node server', async () => {
    const [result, response] = await Promise.all([invoke(event('GET', '/')), fetch(`${server.url}/`)]);
    expect(result.statusCode).toBe(200);
    expect(result.isBase64Encoded).toBe(false);
    const html = await response.text();
    expect(resultBody(result)).toBe(html);
    expect(html).toContain('<form id="risk-form"');
    for (const header of ['content-type', 'content-security-policy', 'cache-control']) {
      expect(resultHeader(result, header)).toBe(response.headers.get(header));
    }
  });

  it('serves what the page loads: its script, the ROC figure, and the what-if answers', async () => {
    const html = resultBody(await invoke(event('GET', '/')));
    const script = /<script src="([^"]+)"/.exec(html)![1]!;
    const asset = await invoke(event('GET', script));
    expect(asset.statusCode).toBe(200);
    expect(resultBody(asset)).toBe(await (await fetch(`${server.url}${script}`)).text());
    const roc = await invoke(event('GET', '/models/pima-diabetes/files/roc.svg'));
    expect([roc.statusCode, resultHeader(roc, 'content-type')]).toEqual([200, 'image/svg+xml']);
    const whatIf = await invoke(event('POST', '/what-if', JSON.stringify(VALID_ROW)));
    const fromServer = await fetch(`${server.url}/what-if`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(VALID_ROW),
    });
    const { request_id: _lambdaId, ...lambdaBody } = JSON.parse(resultBody(whatIf));
    const { request_id: _serverId, ...serverBody } = await fromServer.json();
    expect(lambdaBody).toEqual(serverBody);
  });
});
