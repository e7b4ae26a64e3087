/** The API Gateway payload formats a Lambda behind API Gateway receives: REST API (1.0) and HTTP API (2.0). */
export type EventFormat = 'v1' | 'v2';

/** What a Lambda handler returns to API Gateway (both formats). */
export interface LambdaHttpResult {
  statusCode: number;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body?: string;
  isBase64Encoded?: boolean;
}

/** The API Gateway event that `request` arrives as in a Lambda function. */
export async function apiGatewayEvent(
  request: Request,
  format: EventFormat,
): Promise<Record<string, unknown>> {
  const url = new URL(request.url);
  const headers = Object.fromEntries(request.headers);
  const body = request.body ? await request.text() : null;
  const query = url.search ? Object.fromEntries(url.searchParams) : null;
  const requestTimeEpoch = Date.now();
  if (format === 'v1') {
    return {
      resource: '/{proxy+}',
      path: url.pathname,
      httpMethod: request.method,
      headers,
      multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
      queryStringParameters: query,
      multiValueQueryStringParameters: null,
      pathParameters: { proxy: url.pathname.slice(1) },
      stageVariables: null,
      requestContext: {
        resourcePath: '/{proxy+}',
        httpMethod: request.method,
        path: url.pathname,
        stage: '$default',
        requestId: crypto.randomUUID(),
        requestTimeEpoch,
        identity: { sourceIp: '127.0.0.1', userAgent: headers['user-agent'] ?? 'glyco-smoke' },
      },
      body,
      isBase64Encoded: false,
    };
  }
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: query ?? undefined,
    requestContext: {
      accountId: '123456789012',
      apiId: 'smoke',
      domainName: url.host,
      domainPrefix: url.hostname.split('.')[0],
      http: {
        method: request.method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: headers['user-agent'] ?? 'glyco-smoke',
      },
      requestId: crypto.randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date(requestTimeEpoch).toUTCString(),
      timeEpoch: requestTimeEpoch,
    },
    body: body ?? undefined,
    isBase64Encoded: false,
  };
}

/** The HTTP response API Gateway makes of a handler's result. */
export function lambdaResultResponse(result: LambdaHttpResult): Response {
  const headers = new Headers(result.headers);
  // As API Gateway does: a header in multiValueHeaders replaces the single-valued one.
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    headers.delete(name);
    for (const value of values) headers.append(name, value);
  }
  const body =
    result.body && result.isBase64Encoded ? Buffer.from(result.body, 'base64') : (result.body ?? null);
  const nullBody = result.statusCode === 204 || result.statusCode === 304;
  return new Response(nullBody ? null : body, { status: result.statusCode, headers });
}
