import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccessRequest } from '@glyco/infra';
import { TEST_ACCOUNT_ID, TEST_REGION } from '@glyco/infra/testing';
import { afterAll, afterEach, beforeAll } from 'vitest';

/** What the account answers: its concurrency limit, what is unreserved, and what the function holds now. */
export interface LambdaAccount {
  limit: number;
  unreserved: number;
  /** The function's reservation; absent: the function does not exist yet. */
  reservation?: number;
  /** The provisioned concurrency on its alias; absent: none configured. */
  provisioned?: number;
  /** Answer GetAccountSettings with AccessDeniedException, as Lambda does for a role without the right. */
  refused?: boolean;
}

/** An established account's defaults: 1000, all of it unreserved, and no function yet. */
const ESTABLISHED_ACCOUNT: LambdaAccount = { limit: 1000, unreserved: 1000 };

export interface LambdaApi {
  /** What the next calls are answered; back to an established account after each test. */
  account: LambdaAccount;
  /** Every call the program made, as the IAM request it is (action and resource). */
  requests: AccessRequest[];
  /** The variables that send a process's AWS SDK here: endpoint, and credentials for it to sign with. */
  env: Record<string, string>;
}

const functionArn = (name: string) => `arn:aws:lambda:${TEST_REGION}:${TEST_ACCOUNT_ID}:function:${name}`;

/**
 * The three Lambda API operations the lambda program reads the account's concurrency with (GetAccountSettings,
 * GetFunctionConcurrency, GetProvisionedConcurrencyConfig), on loopback, with the REST paths and error types of
 * @aws-sdk/client-lambda's model. For the whole test file: the program's real SDK client calls it through
 * `AWS_ENDPOINT_URL_LAMBDA` (set on this process while the file runs, and given to child processes as `env`).
 */
export function useLambdaApi(): LambdaApi {
  const api: LambdaApi = { account: { ...ESTABLISHED_ACCOUNT }, requests: [], env: {} };
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://lambda');
    const path = url.pathname.split('/').map(decodeURIComponent);
    const { account } = api;
    if (request.method === 'GET' && url.pathname === '/2016-08-19/account-settings') {
      api.requests.push({ action: 'lambda:GetAccountSettings', resource: '*' });
      if (account.refused) {
        return error(
          response,
          'AccessDeniedException',
          'User is not authorized to perform: lambda:GetAccountSettings',
          403,
        );
      }
      return json(response, 200, {
        AccountLimit: {
          ConcurrentExecutions: account.limit,
          UnreservedConcurrentExecutions: account.unreserved,
        },
        AccountUsage: { FunctionCount: 0, TotalCodeSize: 0 },
      });
    }
    if (request.method === 'GET' && path[1] === '2019-09-30' && path[2] === 'functions') {
      const name = path[3] ?? '';
      if (path[4] === 'concurrency') {
        api.requests.push({ action: 'lambda:GetFunctionConcurrency', resource: functionArn(name) });
        return account.reservation === undefined
          ? error(response, 'ResourceNotFoundException', `Function not found: ${functionArn(name)}`)
          : json(response, 200, { ReservedConcurrentExecutions: account.reservation });
      }
      if (path[4] === 'provisioned-concurrency') {
        const qualifier = url.searchParams.get('Qualifier');
        api.requests.push({
          action: 'lambda:GetProvisionedConcurrencyConfig',
          resource: `${functionArn(name)}:${qualifier}`,
        });
        return account.provisioned === undefined
          ? error(
              response,
              'ProvisionedConcurrencyConfigNotFoundException',
              'No Provisioned Concurrency Config',
            )
          : json(response, 200, {
              RequestedProvisionedConcurrentExecutions: account.provisioned,
              AllocatedProvisionedConcurrentExecutions: account.provisioned,
              Status: 'READY',
            });
      }
    }
    error(response, 'UnknownOperationException', `${request.method} ${url.pathname}`, 400);
  });
  const saved = { ...process.env };
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api.env = {
      AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      AWS_ACCESS_KEY_ID: 'AKIDTESTONLY',
      AWS_SECRET_ACCESS_KEY: 'test-only',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    Object.assign(process.env, api.env);
  });
  afterEach(() => {
    api.account = { ...ESTABLISHED_ACCOUNT };
    api.requests = [];
  });
  afterAll(async () => {
    for (const key of Object.keys(api.env)) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    await new Promise((resolve) => server.close(resolve));
  });
  return api;
}

function json(response: ServerResponse, status: number, body: object) {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function error(response: ServerResponse, type: string, message: string, status = 404) {
  response
    .writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type })
    .end(JSON.stringify({ Type: 'User', Message: message }));
}
