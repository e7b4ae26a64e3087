import type { Context } from 'aws-lambda';
import type { LambdaHttpResult } from '../../src/testing/lambda-events.ts';

export const LAMBDA_CONTEXT = {
  awsRequestId: 'lambda-request',
  functionName: 'glyco-test-inference',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

export function resultHeader(result: LambdaHttpResult, name: string): string | undefined {
  return result.headers?.[name] ?? result.multiValueHeaders?.[name]?.join(', ');
}

export function resultBody(result: LambdaHttpResult): string {
  const body = result.body ?? '';
  return result.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
}
