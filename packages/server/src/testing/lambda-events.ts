import type { LambdaEvent } from 'hono/aws-lambda';

/** One HTTP request, to be sent over the network or wrapped in a Lambda event; `path` may carry a query. */
export interface HttpRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** The AWS front ends that invoke a Lambda with an HTTP request, each with its own event format. */
export type EventSource = 'rest-api-v1' | 'http-api-v2' | 'function-url' | 'alb';

/** What a Lambda handler returns to any of them. */
export interface LambdaHttpResult {
  statusCode: number;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body?: string;
  isBase64Encoded?: boolean;
}

const API_HOST = 'abc123.execute-api.eu-west-1.amazonaws.com';
const URL_HOST = 'abc123.lambda-url.eu-west-1.on.aws';
const ALB_HOST = 'glyco-alb-1234.eu-west-1.elb.amazonaws.com';
const SOURCE_IP = '203.0.113.7';

const lower = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
const multi = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]]));

/**
 * The event each AWS front end delivers for `request`, shaped as in the AWS documentation's examples, with a
 * request id of its own as AWS gives every invocation.
 */
export function lambdaEvent(source: EventSource, request: HttpRequest): LambdaEvent {
  const url = new URL(request.path, `https://${API_HOST}`);
  const path = url.pathname;
  const query = url.search ? Object.fromEntries(url.searchParams) : null;
  const body = request.body ?? null;
  const requestId = crypto.randomUUID();
  const userAgent = request.headers['user-agent'] ?? 'glyco-test';
  const now = Date.now();
  switch (source) {
    case 'rest-api-v1': {
      const headers = { host: API_HOST, ...request.headers };
      return {
        resource: '/{proxy+}',
        path,
        httpMethod: request.method,
        headers,
        multiValueHeaders: multi(headers),
        queryStringParameters: query,
        multiValueQueryStringParameters: query && multi(query),
        pathParameters: { proxy: path.slice(1) },
        stageVariables: null,
        requestContext: {
          accountId: '123456789012',
          apiId: 'abc123',
          resourcePath: '/{proxy+}',
          httpMethod: request.method,
          path: `/prod${path}`,
          stage: 'prod',
          requestId,
          requestTimeEpoch: now,
          identity: { sourceIp: SOURCE_IP, userAgent },
        },
        body,
        isBase64Encoded: false,
      } as unknown as LambdaEvent;
    }
    case 'http-api-v2':
    case 'function-url': {
      const host = source === 'function-url' ? URL_HOST : API_HOST;
      return {
        version: '2.0',
        routeKey: '$default',
        rawPath: path,
        rawQueryString: url.search.slice(1),
        headers: lower({ host, ...request.headers }),
        ...(query && { queryStringParameters: query }),
        requestContext: {
          accountId: source === 'function-url' ? 'anonymous' : '123456789012',
          apiId: 'abc123',
          domainName: host,
          domainPrefix: 'abc123',
          http: { method: request.method, path, protocol: 'HTTP/1.1', sourceIp: SOURCE_IP, userAgent },
          requestId,
          routeKey: '$default',
          stage: '$default',
          time: new Date(now).toUTCString(),
          timeEpoch: now,
        },
        ...(body === null ? {} : { body }),
        isBase64Encoded: false,
      } as unknown as LambdaEvent;
    }
    case 'alb':
      return {
        requestContext: {
          elb: {
            targetGroupArn:
              'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/glyco/0123456789abcdef',
          },
        },
        httpMethod: request.method,
        path,
        queryStringParameters: query ?? {},
        headers: lower({ host: ALB_HOST, ...request.headers }),
        body: body ?? '',
        isBase64Encoded: false,
      } as unknown as LambdaEvent;
  }
}
