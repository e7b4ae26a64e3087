import { pathToFileURL } from 'node:url';
import type { LambdaHttpResult } from '@glyco/server/testing';
import { apiGatewayEvent, type EventFormat, lambdaResultResponse } from './lambda-event.ts';
import type { Send } from './smoke.ts';

type Handler = (event: unknown, context: unknown) => Promise<LambdaHttpResult>;

/**
 * Sends requests to a Lambda handler as API Gateway events, through the Runtime Interface Emulator's invoke
 * endpoint (what `docker run <image>` serves on port 8080 with the image's default command).
 */
export function invokeUrlTransport(invokeUrl: string, format: EventFormat): Send {
  return async (request) => {
    const response = await fetch(invokeUrl, {
      method: 'POST',
      body: JSON.stringify(await apiGatewayEvent(request, format)),
    });
    if (!response.ok) throw new Error(`invoke failed: ${response.status} ${await response.text()}`);
    return lambdaResultResponse((await response.json()) as LambdaHttpResult);
  };
}

/** Calls the `handler` export of a Lambda entry module in this process, as the Lambda runtime would. */
export async function moduleTransport(modulePath: string, format: EventFormat): Promise<Send> {
  const { handler } = (await import(pathToFileURL(modulePath).href)) as { handler?: Handler };
  if (typeof handler !== 'function') throw new Error(`${modulePath} exports no handler function`);
  return async (request) => {
    const context = {
      awsRequestId: crypto.randomUUID(),
      functionName: 'glyco-smoke',
      getRemainingTimeInMillis: () => 30_000,
    };
    return lambdaResultResponse(await handler(await apiGatewayEvent(request, format), context));
  };
}
