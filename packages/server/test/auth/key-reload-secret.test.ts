/**
 * API keys in a Secrets Manager secret, read again without a restart, as the stacks deploy them: the server's own
 * AWS SDK reader against a Secrets Manager stand-in on loopback (GetSecretValue over the awsJson1.1 protocol), on
 * the node server and through the Lambda handler (one warm execution environment) alike.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ApiKeyEntry, createApiKey } from '@glyco/contract';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { predictStatuses, startTargets, type Targets } from '../support/targets.ts';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:glyco-test-api-keys-AbCdEf';
const clinicA = createApiKey('clinic-a', ['predict']);
const clinicB = createApiKey('clinic-b', ['predict']);
const document = (...keys: { entry: ApiKeyEntry }[]) => JSON.stringify({ keys: keys.map((k) => k.entry) });

/** What the stand-in answers next: the secret's value, or a refusal as Secrets Manager words it. */
const secret = { value: document(clinicA), refused: false, reads: 0 };
const secretsManager = createServer(async (request, response) => {
  let body = '';
  for await (const chunk of request) body += chunk;
  const target = request.headers['x-amz-target'];
  response.setHeader('content-type', 'application/x-amz-json-1.1');
  if (target !== 'secretsmanager.GetSecretValue' || JSON.parse(body).SecretId !== ARN) {
    response.statusCode = 400;
    response.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: `${target} ${body}` }));
    return;
  }
  secret.reads++;
  if (secret.refused) {
    response.statusCode = 400;
    response.end(
      JSON.stringify({
        __type: 'AccessDeniedException',
        message: 'User is not authorized to perform: secretsmanager:GetSecretValue',
      }),
    );
    return;
  }
  response.end(JSON.stringify({ ARN, Name: 'glyco-test-api-keys', SecretString: secret.value }));
});

const RELOAD_SECONDS = 1;
const pastTheInterval = () => sleep(RELOAD_SECONDS * 1000 + 100);
let targets: Targets;
const saved = { ...process.env };

beforeAll(async () => {
  await new Promise<void>((resolve) => secretsManager.listen(0, '127.0.0.1', resolve));
  targets = await startTargets(
    {
      DATABASE_URL: 'off',
      LOG_LEVEL: 'silent',
      API_KEYS_SECRET_ARN: ARN,
      API_KEYS_RELOAD_SECONDS: String(RELOAD_SECONDS),
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(secretsManager.address() as AddressInfo).port}`,
      AWS_ACCESS_KEY_ID: 'AKIDTESTONLY',
      AWS_SECRET_ACCESS_KEY: 'test-only',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    ['content-type'],
  );
});
afterAll(async () => {
  await targets.shutdown();
  process.env = saved;
  await new Promise((resolve) => secretsManager.close(resolve));
});

it('follows the secret: a key put in is accepted and a key taken out refused within one interval; while Secrets Manager refuses, the last keys read hold', async () => {
  expect(await predictStatuses(targets, clinicA.key)).toEqual([200, 200]);
  expect(await predictStatuses(targets, clinicB.key)).toEqual([401, 401]);

  secret.value = document(clinicB); // clinic-b in, clinic-a revoked
  await pastTheInterval();
  expect(await predictStatuses(targets, clinicA.key)).toEqual([401, 401]);
  expect(await predictStatuses(targets, clinicB.key)).toEqual([200, 200]);

  secret.refused = true;
  secret.value = document(clinicA);
  const readsBefore = secret.reads;
  await pastTheInterval();
  expect(await predictStatuses(targets, clinicB.key)).toEqual([200, 200]);
  expect(await predictStatuses(targets, clinicA.key)).toEqual([401, 401]);
  // Each target tried once, and not again for every request within the interval.
  expect(secret.reads - readsBefore).toBe(2);

  secret.refused = false;
  await pastTheInterval();
  expect(await predictStatuses(targets, clinicA.key)).toEqual([200, 200]);
  expect(await predictStatuses(targets, clinicB.key)).toEqual([401, 401]);
});
