/**
 * What the stack sets is what the server reads: the function's environment, fed to the server's own
 * configuration parser (`loadConfig`), names only variables the server reads, and parses without error.
 */
import { at, ENVIRONMENTS } from '@glyco/infra';
import { runStack, single, TEST_IMAGE } from '@glyco/infra/testing';
import { serverReading } from '@glyco/server/testing';
import { describe, expect, it } from 'vitest';
import { lambda } from '../src/lambda.ts';
import { useLambdaApi } from './support/lambda-api.ts';

const stackDir = new URL('..', import.meta.url).pathname;
// Prod reserves concurrency, which the program checks against the account's Lambda settings.
useLambdaApi();
const functionEnvironment = async (
  env: (typeof ENVIRONMENTS)[number],
  overrides: Record<string, unknown> = {},
) => {
  const stack = await runStack({
    project: 'glyco-lambda',
    stack: env,
    stackDir,
    program: lambda,
    configOverrides: { org: 'acme', image: TEST_IMAGE, ...overrides },
  });
  return at(single(stack, 'aws:lambda/function:Function').props, 'environment', 'variables') as Record<
    string,
    string
  >;
};

describe.each(ENVIRONMENTS)('the lambda stack and the server it deploys, %s', (env) => {
  it('sets only variables the server reads, and values it takes', async () => {
    const { config, unread } = serverReading(await functionEnvironment(env));
    expect(unread).toEqual([]);
    expect(config.modelUri).toBe(`s3://glyco-${env}-models-123456789012/models/pima-diabetes@production`);
    expect(config.database.host).toBe(`glyco-${env}-db-proxy.proxy-abcdefghijkl.eu-west-1.rds.amazonaws.com`);
  });

  it('turns authentication on: API keys from the platform secret, and an OIDC issuer when configured', async () => {
    const keysOnly = serverReading(await functionEnvironment(env)).config.auth;
    expect(keysOnly).toEqual({
      keys: {
        from: 'secret',
        secretArn: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:glyco-${env}-api-keys-AbCdEf`,
      },
      // A key added to or removed from the secret counts within a minute, in warm execution environments too.
      keysReloadMs: 60_000,
      oidc: undefined,
    });
    const oidc = {
      oidcIssuer: 'https://idp.example.com',
      oidcAudience: 'glyco-api',
      oidcScopePrefix: 'glyco/',
    };
    expect(serverReading(await functionEnvironment(env, oidc)).config.auth.oidc).toEqual({
      issuer: 'https://idp.example.com',
      audience: 'glyco-api',
      jwksUrl: undefined,
      scopePrefix: 'glyco/',
    });
    await expect(functionEnvironment(env, { oidcIssuer: 'https://idp.example.com' })).rejects.toThrow(
      'Config "oidcIssuer" (an https:// URL) and "oidcAudience" go together',
    );
  });

  it('deploys a model pinned at a version as a MODEL_URI the server takes', async () => {
    const { config } = serverReading(await functionEnvironment(env, { model: 'pima-diabetes/1.0.0' }));
    expect(config.modelUri).toBe(`s3://glyco-${env}-models-123456789012/models/pima-diabetes/1.0.0`);
  });

  it('refuses, before deploying, a model the server could not load', async () => {
    await expect(functionEnvironment(env, { model: 'pima-diabetes@1.0.0' })).rejects.toThrow(
      /Config "model".*invalid alias "1\.0\.0"/,
    );
  });
});
