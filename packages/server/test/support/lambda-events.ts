import type { Context } from 'aws-lambda';
import type { LambdaEvent } from 'hono/aws-lambda';

/** One HTTP request, to be sent over the network or wrapped in a Lambda event. */
export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface LambdaResult {
  statusCode: number;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body: string;
  isBase64Encoded: boolean;
}

export type EventSource = 'rest-api-v1' | 'http-api-v2' | 'function-url' | 'alb';

const API_HOST = 'abc123.execute-api.eu-west-1.amazonaws.com';
const URL_HOST = 'abc123.lambda-url.eu-west-1.on.aws';

const lower = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
const multi = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]]));

/** The event each AWS front end delivers for `request`, shaped as in the AWS documentation's examples. */
export function lambdaEvent(source: EventSource, request: HttpRequest): LambdaEvent {
  const body = request.body ?? null;
  switch (source) {
    case 'rest-api-v1': {
      const headers = { host: API_HOST, ...request.headers };
      return {
        resource: '/{proxy+}',
        path: request.path,
        httpMethod: request.method,
        headers,
        multiValueHeaders: multi(headers),
        queryStringParameters: null,
        multiValueQueryStringParameters: null,
        pathParameters: { proxy: request.path.slice(1) },
        stageVariables: null,
        requestContext: {
          accountId: '123456789012',
          apiId: 'abc123',
          resourcePath: '/{proxy+}',
          httpMethod: request.method,
          path: `/prod${request.path}`,
          stage: 'prod',
          requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
          requestTimeEpoch: 1_700_000_000_000,
          identity: { sourceIp: '203.0.113.7', userAgent: 'parity-test' },
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
        rawPath: request.path,
        rawQueryString: '',
        headers: lower({ host, ...request.headers }),
        requestContext: {
          accountId: source === 'function-url' ? 'anonymous' : '123456789012',
          apiId: 'abc123',
          domainName: host,
          domainPrefix: 'abc123',
          http: {
            method: request.method,
            path: request.path,
            protocol: 'HTTP/1.1',
            sourceIp: '203.0.113.7',
            userAgent: 'parity-test',
          },
          requestId: 'JKJaXmPLvHcESHA=',
          routeKey: '$default',
          stage: '$default',
          time: '14/Nov/2023:22:13:20 +0000',
          timeEpoch: 1_700_000_000_000,
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
        path: request.path,
        queryStringParameters: {},
        headers: lower({ host: 'glyco-alb-1234.eu-west-1.elb.amazonaws.com', ...request.headers }),
        body: body ?? '',
        isBase64Encoded: false,
      } as unknown as LambdaEvent;
  }
}

export const LAMBDA_CONTEXT = {
  awsRequestId: 'lambda-request',
  functionName: 'glyco-test-inference',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

export function resultHeader(result: LambdaResult, name: string): string | undefined {
  return result.headers?.[name] ?? result.multiValueHeaders?.[name]?.join(', ');
}

export function resultBody(result: LambdaResult): string {
  return result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : result.body;
}
