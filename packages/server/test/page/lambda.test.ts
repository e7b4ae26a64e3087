import type { Context } from 'aws-lambda';
import type { LambdaEvent } from 'hono/aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningServer } from '../../src/node-server.ts';
import { startTestServer, VALID_ROW } from './page-fixture.ts';

interface LambdaResult {
  statusCode: number;
  /** Payload 2.0 answers with `headers`; a 1.0 event that sent `multiValueHeaders` gets them back. */
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body: string;
  isBase64Encoded: boolean;
}

function headerOf(result: LambdaResult, name: string): string | undefined {
  return result.headers?.[name] ?? result.multiValueHeaders?.[name]?.join(', ');
}

const HOST = 'abc123.execute-api.eu-west-1.amazonaws.com';

/** What API Gateway REST (payload 1.0) sends for a request to the `{proxy+}` resource of stage `prod`. */
function restApiEvent(method: string, path: string, body?: string): LambdaEvent {
  const headers = { host: HOST, accept: 'text/html', 'content-type': 'application/json' };
  return {
    resource: '/{proxy+}',
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { proxy: path.slice(1) },
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      resourcePath: '/{proxy+}',
      httpMethod: method,
      path: `/prod${path}`,
      stage: 'prod',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTimeEpoch: Date.now(),
      identity: { sourceIp: '127.0.0.1', userAgent: 'Mozilla/5.0' },
    },
    body: body ?? null,
    isBase64Encoded: false,
  } as unknown as LambdaEvent;
}

/** What API Gateway HTTP API (payload 2.0) sends for the `$default` route. */
function httpApiEvent(method: string, path: string, body?: string): LambdaEvent {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { host: HOST, accept: 'text/html', 'content-type': 'application/json' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: HOST,
      domainPrefix: 'abc123',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'Mozilla/5.0' },
      requestId: 'JKJaXmPLvHcESHA=',
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  } as unknown as LambdaEvent;
}

let handler: (event: LambdaEvent, context: Context) => Promise<unknown>;
let server: RunningServer;

beforeAll(async () => {
  // The handler reads its configuration from the environment when its module loads, as on Lambda.
  vi.stubEnv('DATABASE_URL', 'off');
  vi.stubEnv('LOG_LEVEL', 'silent');
  vi.stubEnv('MODEL_URI', '');
  [{ handler }, server] = await Promise.all([import('../../src/lambda.ts'), startTestServer()]);
}, 30_000);

afterAll(async () => {
  await server?.shutdown();
  vi.unstubAllEnvs();
});

const invoke = async (event: LambdaEvent) => (await handler(event, {} as Context)) as LambdaResult;

describe.each([
  ['API Gateway REST (v1)', restApiEvent],
  ['API Gateway HTTP API (v2)', httpApiEvent],
])('the page behind the Lambda handler, %s', (_, event) => {
  it('renders / as the same HTML, with the same headers, as the node server', async () => {
    const [result, response] = await Promise.all([invoke(event('GET', '/')), fetch(`${server.url}/`)]);
    expect(result.statusCode).toBe(200);
    expect(result.isBase64Encoded).toBe(false);
    const html = await response.text();
    expect(result.body).toBe(html);
    expect(html).toContain('<form id="risk-form"');
    for (const header of ['content-type', 'content-security-policy', 'cache-control']) {
      expect(headerOf(result, header)).toBe(response.headers.get(header));
    }
  });

  it('serves what the page loads: its script, the ROC figure, and the what-if answers', async () => {
    const html = (await invoke(event('GET', '/'))).body;
    const script = /<script src="([^"]+)"/.exec(html)![1]!;
    const asset = await invoke(event('GET', script));
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe(await (await fetch(`${server.url}${script}`)).text());
    const roc = await invoke(event('GET', '/models/pima-diabetes/files/roc.svg'));
    expect([roc.statusCode, headerOf(roc, 'content-type')]).toEqual([200, 'image/svg+xml']);
    const whatIf = await invoke(event('POST', '/what-if', JSON.stringify(VALID_ROW)));
    const fromServer = await fetch(`${server.url}/what-if`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(VALID_ROW),
    });
    const { request_id: _lambdaId, ...lambdaBody } = JSON.parse(whatIf.body);
    const { request_id: _serverId, ...serverBody } = await fromServer.json();
    expect(lambdaBody).toEqual(serverBody);
  });
});
