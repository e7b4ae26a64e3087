import type { Context as LambdaContext } from 'aws-lambda';
import type { Hono } from 'hono';
import type { LambdaEvent } from 'hono/aws-lambda';
import type { AppEnv } from '../http/context.ts';
import { MLFLOW_INVOCATIONS_PATH } from '../http/problem-response.ts';
import { MLFLOW_LAYOUTS } from '../validation/mlflow-request.ts';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * True for the events of the AWS front ends that carry an HTTP request, each told by what its format always
 * holds: API Gateway REST (payload 1.0) and ALB put `httpMethod` beside a `requestContext`
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html); HTTP API
 * (payload 2.0) and Function URLs put `rawPath` beside `requestContext.http.method`
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html); VPC Lattice (2.0) puts `method` beside a
 * `requestContext.serviceArn` (https://docs.aws.amazon.com/vpc-lattice/latest/ug/lambda-functions.html).
 * `hono/aws-lambda` takes any other event for an API Gateway REST one (hono@4.13.19,
 * dist/adapter/aws-lambda/handler.js, getProcessor), so a direct invocation would reach `GET /`, the web page.
 */
export function isHttpEvent(event: unknown): event is LambdaEvent {
  if (!isObject(event) || !isObject(event.requestContext)) return false;
  const { requestContext } = event;
  if (typeof event.httpMethod === 'string') return true;
  if (isObject(requestContext.http)) {
    return typeof requestContext.http.method === 'string' && typeof event.rawPath === 'string';
  }
  return typeof event.method === 'string' && typeof requestContext.serviceArn === 'string';
}

/** A prediction that failed on the server's side: Lambda reports it as a function error (and retries async ones). */
export class DirectInvocationError extends Error {
  override name = 'DirectInvocationError';
}

/**
 * The route and body a direct invocation's payload asks for: an MLflow body (one of its layouts) is scored as
 * `/invocations` scores it; a list of rows as `/predict`'s `instances`; anything else (one row of features,
 * `{"features": [...]}`, `{"instances": [...]}`) is a `/predict` body as it stands.
 */
function directRequest(payload: unknown): { path: string; body: unknown } {
  if (Array.isArray(payload)) return { path: '/predict', body: { instances: payload } };
  if (isObject(payload) && MLFLOW_LAYOUTS.some((layout) => layout !== 'instances' && layout in payload)) {
    return { path: MLFLOW_INVOCATIONS_PATH, body: payload };
  }
  return { path: '/predict', body: payload };
}

/**
 * A direct invocation (`aws lambda invoke`, the SDK's Invoke, Step Functions): the payload is a prediction
 * request, run through the app as its HTTP twin would be (validation, batching, log, metrics, the Lambda
 * request id as the request id), and answered with the response's JSON: the prediction, or the problem details
 * of a refused request (its `status` says which). A failure on the server's side (5xx) is thrown, so Lambda
 * reports a function error and retries an asynchronous invocation.
 */
export async function invokeDirectly(
  app: Hono<AppEnv>,
  payload: unknown,
  lambdaContext: LambdaContext,
): Promise<unknown> {
  const { path, body } = directRequest(payload);
  const request = new Request(`https://lambda.invoke${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': lambdaContext.awsRequestId },
    body: JSON.stringify(body) ?? 'null',
  });
  const response = await app.fetch(request, { lambdaContext, directInvocation: true });
  const answer = (await response.json()) as { detail?: string };
  if (response.status >= 500) throw new DirectInvocationError(answer.detail ?? `status ${response.status}`);
  return answer;
}
