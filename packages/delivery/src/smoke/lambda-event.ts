import { type LambdaHttpResult, lambdaEvent } from '@glyco/server/testing';

/** The API Gateway payload formats a Lambda behind API Gateway receives: REST API (1.0) and HTTP API (2.0). */
export type EventFormat = 'v1' | 'v2';

/** The API Gateway event that `request` arrives as in a Lambda function. */
export async function apiGatewayEvent(request: Request, format: EventFormat): Promise<unknown> {
  const url = new URL(request.url);
  return lambdaEvent(format === 'v1' ? 'rest-api-v1' : 'http-api-v2', {
    method: request.method,
    path: url.pathname + url.search,
    headers: Object.fromEntries(request.headers),
    ...(request.body && { body: await request.text() }),
  });
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
