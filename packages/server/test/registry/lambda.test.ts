import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openRegistry, promote, publish } from '@glyco/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap.ts';
import { createLambdaHandler } from '../../src/lambda/handler.ts';
import { type LambdaHttpResult, lambdaEvent } from '../../src/testing/lambda-events.ts';
import { JSON_HEADERS, MANIFEST, testRuntime, VALID_ROW } from '../support/fixtures.ts';
import { LAMBDA_CONTEXT, resultBody } from '../support/lambda-events.ts';
import { bundledModelAs, temporaryDir, until } from './support.ts';

let scratch: Awaited<ReturnType<typeof temporaryDir>>;
let runtime: Runtime;
const registry = () => pathToFileURL(join(scratch.dir, 'registry')).href;

beforeAll(async () => {
  scratch = await temporaryDir('lambda-follow');
  const store = openRegistry(registry());
  for (const version of ['1.0.0', '2.0.0']) {
    await publish(store, await bundledModelAs(join(scratch.dir, 'out'), version));
  }
  await promote(store, { name: MANIFEST.name, version: '1.0.0', alias: 'production' });
  runtime = await testRuntime({
    env: { MODEL_URI: `${registry()}/${MANIFEST.name}@production`, MODEL_POLL_INTERVAL_SECONDS: '0.1' },
  });
});
afterAll(async () => {
  await runtime?.follower?.stop();
  await runtime?.models.close();
  await scratch?.remove();
});

// A hang guard above until()'s 20 s deadline: swapping in a promoted model took seconds under CI's load.
describe('the Lambda handler on a followed alias', { timeout: 30_000 }, () => {
  it('answers from the promoted version once it is swapped in, every invocation succeeding meanwhile', async () => {
    const handler = createLambdaHandler(runtime);
    const event = lambdaEvent('http-api-v2', {
      method: 'POST',
      path: '/predict',
      headers: JSON_HEADERS,
      body: JSON.stringify(VALID_ROW),
    });
    const invoke = async () => {
      const result = (await handler(event, LAMBDA_CONTEXT)) as LambdaHttpResult;
      return { status: result.statusCode, version: JSON.parse(resultBody(result)).model.version as string };
    };
    expect(await invoke()).toEqual({ status: 200, version: '1.0.0' });

    await promote(openRegistry(registry()), { name: MANIFEST.name, version: '2.0.0', alias: 'production' });
    const answers: { status: number; version: string }[] = [];
    await until('the promoted version', async () => {
      answers.push(await invoke());
      return answers.at(-1)!.version === '2.0.0';
    });
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
  });
});
