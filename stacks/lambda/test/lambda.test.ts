import { at, ENVIRONMENTS, list, statementsOf } from '@glyco/infra';
import {
  componentTypes,
  DOMAIN_LOOKUPS,
  outputsMissingFromReadme,
  previewAccess,
  registryHolding,
  resourcesOfType,
  runProgramWithNode,
  runStack,
  type StackRun,
  single,
  TARGET_LOOKUPS,
  TEST_IMAGE,
  TEST_MODEL_SIGNING_PUBLIC_KEY_PEM,
  targetConventionBreaches,
} from '@glyco/infra/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { lambda } from '../src/lambda.ts';
import { useLambdaApi } from './support/lambda-api.ts';

const stackDir = new URL('..', import.meta.url).pathname;
/** The Lambda API the program reads the account's concurrency from (an established account unless a test says). */
const lambdaApi = useLambdaApi();
const run = (stack: (typeof ENVIRONMENTS)[number], configOverrides: Record<string, unknown> = {}) =>
  runStack({
    project: 'glyco-lambda',
    stack,
    stackDir,
    program: lambda,
    configOverrides: { org: 'acme', image: TEST_IMAGE, ...configOverrides },
  });
const DOMAIN = { domainName: 'api.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ' };

describe.each(ENVIRONMENTS)('lambda stack, %s', (env) => {
  let stack: StackRun;
  // Each test reads the same run, and any one of them can run alone (`vitest -t`).
  beforeAll(async () => {
    stack = await run(env);
  });

  it('registers its resources under its committed config', () => {
    expect(stack.resources.length).toBeGreaterThan(10);
  });

  it('reads the platform stack of its own environment', () => {
    expect(single(stack, 'pulumi:pulumi:StackReference').props.name).toBe(`acme/glyco-platform/${env}`);
  });

  it('runs the pinned image on x86_64 in the private subnets with the app environment', () => {
    const fn = single(stack, 'aws:lambda/function:Function').props;
    expect(fn).toMatchObject({
      name: `glyco-${env}-api`,
      packageType: 'Image',
      imageUri: TEST_IMAGE,
      architectures: ['x86_64'],
      vpcConfig: { subnetIds: ['subnet-private-a', 'subnet-private-b'], securityGroupIds: ['sg-workload'] },
    });
    expect(at(fn, 'environment', 'variables')).toEqual({
      MODEL_URI: `s3://glyco-${env}-models-123456789012/models/pima-diabetes@production`,
      DATABASE_SECRET_ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0000-${env}-AbCdEf`,
      DATABASE_HOST: `glyco-${env}-db-proxy.proxy-abcdefghijkl.eu-west-1.rds.amazonaws.com`,
      DATABASE_PORT: '5432',
      DATABASE_NAME: 'glyco',
      LOG_LEVEL: env === 'prod' ? 'info' : 'debug',
      PORT: '8080',
      ORT_INTRA_OP_THREADS: '1',
      API_KEYS_SECRET_ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:glyco-${env}-api-keys-AbCdEf`,
      MODEL_SIGNING_PUBLIC_KEY: TEST_MODEL_SIGNING_PUBLIC_KEY_PEM,
    });
  });

  it('meets the conventions of a target: policy rules, workload boundary, a tree of components, generated names', () => {
    expect(targetConventionBreaches(stack, env)).toEqual([]);
    expect(outputsMissingFromReadme('lambda', stack.outputs)).toEqual([]);
    expect(componentTypes(stack)).toEqual(
      expect.arrayContaining([
        'glyco:lambda:InferenceFunction',
        'glyco:lambda:HttpApi',
        'glyco:lambda:FunctionAlarms',
      ]),
    );
  });

  it('sizes the function and its concurrency from config: no reservation in dev, where new accounts have none to give', () => {
    const fn = single(stack, 'aws:lambda/function:Function').props;
    expect([fn.memorySize, fn.timeout, fn.reservedConcurrentExecutions]).toEqual(
      env === 'prod' ? [3008, 15, 100] : [2048, 15, undefined],
    );
    const provisioned = stack.resources.filter(
      (r) => r.type === 'aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig',
    );
    expect(provisioned.map((p) => p.props.provisionedConcurrentExecutions)).toEqual(
      env === 'prod' ? [2] : [],
    );
  });

  it('serves HTTPS through an HTTP API that may invoke the function', () => {
    expect(String(stack.outputs.url)).toMatch(/^https:\/\//);
    expect(single(stack, 'aws:lambda/permission:Permission').props.principal).toBe(
      'apigateway.amazonaws.com',
    );
  });

  it('throttles each route by its class, predicting highest and the admin export lowest, other paths by the stage default', () => {
    const stage = single(stack, 'aws:apigatewayv2/stage:Stage').props;
    const limits = Object.fromEntries(
      list(stage.routeSettings).map((setting) => [
        String(at(setting, 'routeKey')),
        [at(setting, 'throttlingRateLimit'), at(setting, 'throttlingBurstLimit')],
      ]),
    );
    const [predict, feedback, readMetrics, admin, other] =
      env === 'prod'
        ? [
            [500, 1000],
            [100, 200],
            [10, 20],
            [1, 2],
            [100, 200],
          ]
        : [
            [50, 100],
            [20, 40],
            [5, 10],
            [1, 2],
            [50, 100],
          ];
    expect(limits).toMatchObject({
      'POST /predict': predict,
      'POST /invocations': predict,
      'POST /v2/models/{name}/infer': predict,
      'POST /v1/feedback': feedback,
      'GET /metrics': readMetrics,
      'GET /v1/models/{name}/drift': readMetrics,
      'GET /v1/models/{name}/outcomes': admin,
    });
    expect([
      at(stage, 'defaultRouteSettings', 'throttlingRateLimit'),
      at(stage, 'defaultRouteSettings', 'throttlingBurstLimit'),
    ]).toEqual(other);
  });

  it('routes each throttled route key to the function, and creates the stage only after them (AWS refuses settings for a route it does not have)', () => {
    const routes = resourcesOfType(stack, 'aws:apigatewayv2/route:Route');
    const integration = single(stack, 'aws:apigatewayv2/integration:Integration');
    expect(new Set(routes.map((route) => route.props.target))).toEqual(
      new Set([`integrations/${integration.name}-id`]),
    );
    const stage = single(stack, 'aws:apigatewayv2/stage:Stage');
    const settingKeys = list(stage.props.routeSettings).map((setting) => at(setting, 'routeKey'));
    expect(routes.map((route) => route.props.routeKey).sort()).toEqual(['$default', ...settingKeys].sort());
    const stageWaitsFor = stack.dependencies.get(`${stage.type}::${stage.name}`);
    for (const route of routes) expect(stageWaitsFor).toContain(route.urn);
  });

  it('keeps logs for the configured days and alarms on errors and p99 duration', () => {
    expect(single(stack, 'aws:cloudwatch/logGroup:LogGroup', `glyco-${env}-api`).props.retentionInDays).toBe(
      env === 'prod' ? 90 : 14,
    );
    const alarms = stack.resources.filter((r) => r.type === 'aws:cloudwatch/metricAlarm:MetricAlarm');
    expect(alarms.map((a) => [a.props.metricName, a.props.statistic ?? a.props.extendedStatistic])).toEqual([
      ['Errors', 'Sum'],
      ['Duration', 'p99'],
    ]);
  });

  it('lets the function read only its model prefix, its database secret and its API keys secret', () => {
    const appAccess = statementsOf(single(stack, 'aws:iam/rolePolicy:RolePolicy', 'app-access').props.policy);
    expect(appAccess.map((s) => [s.Action, s.Resource])).toEqual([
      ['s3:ListBucket', `arn:aws:s3:::glyco-${env}-models-123456789012`],
      ['s3:GetObject', `arn:aws:s3:::glyco-${env}-models-123456789012/models/*`],
      [
        'secretsmanager:GetSecretValue',
        `arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0000-${env}-AbCdEf`,
      ],
      [
        'secretsmanager:GetSecretValue',
        `arn:aws:secretsmanager:eu-west-1:123456789012:secret:glyco-${env}-api-keys-AbCdEf`,
      ],
      ['kms:Decrypt', expect.stringMatching(/^arn:aws:kms:eu-west-1:123456789012:key\//)],
    ]);
  });

  it('exports what a person needs to find and call the deployment', () => {
    expect(stack.outputs).toMatchObject({
      image: TEST_IMAGE,
      model: 'pima-diabetes@production',
      logGroup: `/aws/lambda/glyco-${env}-api`,
      databaseEndpoint: expect.stringContaining('proxy'),
    });
  });
});

describe('lambda concurrency against what the account has unreserved', () => {
  const functionArn = 'arn:aws:lambda:eu-west-1:123456789012:function:glyco-prod-api';

  it("reads the account's settings and what the function holds now, before creating anything", async () => {
    const stack = await run('prod');
    expect(lambdaApi.requests).toEqual([
      { action: 'lambda:GetAccountSettings', resource: '*' },
      { action: 'lambda:GetFunctionConcurrency', resource: functionArn },
      { action: 'lambda:GetProvisionedConcurrencyConfig', resource: `${functionArn}:live` },
    ]);
    expect(single(stack, 'aws:lambda/function:Function').props.reservedConcurrentExecutions).toBe(100);
  });

  it('refuses, before creating anything, a reservation that a new account (limit 10) cannot give, and says how to ask for more', async () => {
    lambdaApi.account = { limit: 10, unreserved: 10 };
    const attempt = run('prod');
    await expect(attempt).rejects.toThrow(/Config "reservedConcurrency" \(100\) does not fit/);
    await expect(attempt).rejects.toThrow(
      /limit of 10, of which 10 is unreserved.*keeps 100 unreserved, so at most 0 can be.*quota of at least 200.*request-service-quota-increase/s,
    );
  });

  it("counts other functions' reservations: 100 does not fit where they leave 150 of 1000 unreserved", async () => {
    lambdaApi.account = { limit: 1000, unreserved: 150 };
    await expect(run('prod')).rejects.toThrow(
      /"reservedConcurrency" \(100\) does not fit.*limit of 1000, of which 150 is unreserved.*at most 50.*quota of at least 1050/s,
    );
    lambdaApi.account = { limit: 1000, unreserved: 200 };
    await expect(run('prod')).resolves.toBeDefined();
  });

  it('gives an update back what the function holds already: its own 100 stays within 100 unreserved', async () => {
    lambdaApi.account = { limit: 300, unreserved: 100, reservation: 100 };
    await expect(run('prod')).resolves.toBeDefined();
    lambdaApi.account = { limit: 300, unreserved: 100, reservation: 60 };
    await expect(run('prod')).rejects.toThrow(
      /60 of them held by this function now.*at most 60 can be reserved/s,
    );
  });

  it('counts provisioned concurrency without a reservation against the same pool', async () => {
    lambdaApi.account = { limit: 10, unreserved: 10 };
    await expect(run('dev', { provisionedConcurrency: 5 })).rejects.toThrow(
      /Config "provisionedConcurrency" \(5\) does not fit/,
    );
    lambdaApi.account = { limit: 110, unreserved: 100, provisioned: 5 };
    await expect(run('dev', { provisionedConcurrency: 5 })).resolves.toBeDefined();
  });

  it('asks nothing of the account when nothing is reserved or provisioned (dev)', async () => {
    await run('dev');
    expect(lambdaApi.requests).toEqual([]);
  });

  it('says what it could not read, and why, when Lambda refuses the call', async () => {
    lambdaApi.account = { limit: 1000, unreserved: 1000, refused: true };
    await expect(run('prod')).rejects.toThrow(
      /Could not read the account's Lambda concurrency \(lambda:GetAccountSettings in eu-west-1\).*not authorized/s,
    );
  });
});

describe('lambda with a custom domain', () => {
  let stack: StackRun;
  beforeAll(async () => {
    stack = await run('prod', DOMAIN);
  });

  it('serves https://<domainName> through an API Gateway custom domain with its own validated certificate', () => {
    expect(stack.outputs.url).toBe('https://api.example.com');
    expect(single(stack, 'aws:acm/certificate:Certificate').props).toMatchObject({
      domainName: 'api.example.com',
      validationMethod: 'DNS',
    });
    expect(single(stack, 'aws:apigatewayv2/domainName:DomainName').props).toMatchObject({
      domainName: 'api.example.com',
      domainNameConfiguration: {
        endpointType: 'REGIONAL',
        securityPolicy: 'TLS_1_2',
        certificateArn: expect.stringMatching(/^arn:aws:acm:/),
      },
    });
    expect(single(stack, 'aws:apigatewayv2/apiMapping:ApiMapping').props).toMatchObject({
      domainName: 'api.example.com',
      stage: expect.any(String),
    });
  });

  it('points the name at the API domain and turns off the execute-api name, so no client bypasses it', () => {
    const alias = resourcesOfType(stack, 'aws:route53/record:Record').find(
      (record) => record.props.type === 'A',
    );
    expect(alias?.props).toMatchObject({
      name: 'api.example.com',
      aliases: [
        {
          name: 'd-abcdef1234.execute-api.eu-west-1.amazonaws.com',
          zoneId: 'ZLY8HYME6SFDD',
          evaluateTargetHealth: true,
        },
      ],
    });
    expect(single(stack, 'aws:apigatewayv2/api:Api').props.disableExecuteApiEndpoint).toBe(true);
  });

  it('keeps the execute-api name, which has a valid AWS certificate, when no domain is set', async () => {
    const plain = await run('dev');
    expect(resourcesOfType(plain, 'aws:apigatewayv2/domainName:DomainName')).toEqual([]);
    expect(String(plain.outputs.url)).toMatch(
      /^https:\/\/abcdef1234\.execute-api\.eu-west-1\.amazonaws\.com\/$/,
    );
  });
});

describe('lambda previewed by a pull request, with the read-only preview role', () => {
  it("makes only calls ReadOnlyAccess allows and the role does not forbid: the image, the model, the account's concurrency, the zone", async () => {
    const stack = await runStack({
      project: 'glyco-lambda',
      stack: 'prod',
      stackDir,
      program: lambda,
      configOverrides: DOMAIN,
    });
    expect(previewAccess(stack, lambdaApi.requests)).toEqual({
      actions: [
        ...TARGET_LOOKUPS,
        ...DOMAIN_LOOKUPS,
        'lambda:GetAccountSettings',
        'lambda:GetFunctionConcurrency',
        'lambda:GetProvisionedConcurrencyConfig',
      ],
      refusals: [],
    });
  });
});

describe('lambda with nothing but its committed config (a bare `pulumi up`)', () => {
  it("reads its own organization's platform and runs the newest image by digest", async () => {
    const stack = await runStack({ project: 'glyco-lambda', stack: 'dev', stackDir, program: lambda });
    expect(single(stack, 'pulumi:pulumi:StackReference').props.name).toBe('glyco-test/glyco-platform/dev');
    expect(single(stack, 'aws:lambda/function:Function').props.imageUri).toBe(
      `123456789012.dkr.ecr.eu-west-1.amazonaws.com/glyco-dev-app@sha256:${'cd'.repeat(32)}`,
    );
  });

  it.each(ENVIRONMENTS)(
    'loads index.ts under plain Node, as the Pulumi CLI does, in %s',
    async (env) => {
      const load = await runProgramWithNode({
        stackDir,
        project: 'glyco-lambda',
        stack: env,
        env: lambdaApi.env,
      });
      expect(load.stderr).not.toMatch(/Error/);
      expect(load.status).toBe(0);
      expect(load.run?.resourceCount).toBeGreaterThan(10);
    },
    70_000,
  );
});

describe('lambda against the model registry', () => {
  const registry = 's3://glyco-prod-models-123456789012/models';
  const inRegistry = (model: string, keys: string[]) =>
    runStack({
      project: 'glyco-lambda',
      stack: 'prod',
      stackDir,
      program: lambda,
      configOverrides: { org: 'acme', image: TEST_IMAGE, model },
      invokes: registryHolding(keys),
    });

  it('refuses, before creating anything, an alias the registry does not have, with the commands that make it', async () => {
    // A new environment's registry is empty: the app would exit at startup, and every cold start would fail.
    await expect(inRegistry('pima-diabetes@production', [])).rejects.toThrow(
      new RegExp(
        `Config "model" \\(pima-diabetes@production\\): the registry ${registry} has no alias "production" for ` +
          'pima-diabetes.*pnpm glyco publish models/pima-diabetes/<version> --registry .*pnpm glyco promote ' +
          'pima-diabetes <version> --alias production',
        's',
      ),
    );
  });

  it('takes the alias once its record is there, and only that exact key', async () => {
    const record = 'models/pima-diabetes/aliases/production.json';
    await expect(inRegistry('pima-diabetes@production', [`${record}.tmp`])).rejects.toThrow(/no alias/);
    await expect(inRegistry('pima-diabetes@production', [record])).resolves.toBeDefined();
  });

  it('takes a pinned version once its manifest is published, and says how to publish it otherwise', async () => {
    const manifest = 'models/pima-diabetes/1.0.0/manifest.json';
    await expect(
      inRegistry('pima-diabetes/1.0.0', ['models/pima-diabetes/1.0.0/model.onnx']),
    ).rejects.toThrow(
      /no version 1\.0\.0 of pima-diabetes.*pnpm glyco publish models\/pima-diabetes\/1\.0\.0 --registry/s,
    );
    await expect(inRegistry('pima-diabetes/1.0.0', [manifest])).resolves.toBeDefined();
  });
});

describe('lambda config', () => {
  it('refuses an image that is not pinned by digest', async () => {
    await expect(
      run('dev', { image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/glyco:latest' }),
    ).rejects.toThrow(/pinned by digest/);
  });

  it('refuses more provisioned than reserved concurrency', async () => {
    await expect(run('dev', { reservedConcurrency: 10, provisionedConcurrency: 20 })).rejects.toThrow(
      /cannot exceed "reservedConcurrency"/,
    );
  });

  it('takes each route class whole, and refuses a class, a field or a limit it does not know', async () => {
    const throttles = (routeThrottles: unknown) => run('dev', { routeThrottles });
    await expect(throttles({ predict: { ratePerSecond: 10 } })).rejects.toThrow(
      'Config "routeThrottles.predict.burst" must be a whole number from 1 to 5000.',
    );
    await expect(throttles({ predcit: { ratePerSecond: 10, burst: 20 } })).rejects.toThrow(
      'Config "routeThrottles" has no "predcit"; it takes predict, feedback, read-metrics, admin.',
    );
    await expect(throttles({ predict: { rate: 10, burst: 20 } })).rejects.toThrow(
      'Config "routeThrottles.predict" has no "rate"; it takes ratePerSecond, burst.',
    );
    // Past API Gateway's default account quota (10,000 per second in most Regions), a limit cannot hold.
    await expect(throttles({ predict: { ratePerSecond: 20_000, burst: 100 } })).rejects.toThrow(
      'Config "routeThrottles.predict.ratePerSecond" must be a whole number from 1 to 10000.',
    );
    const stack = await throttles({ feedback: { ratePerSecond: 3, burst: 6 } });
    const settings = list(single(stack, 'aws:apigatewayv2/stage:Stage').props.routeSettings);
    expect(settings.find((setting) => at(setting, 'routeKey') === 'POST /v1/feedback')).toMatchObject({
      throttlingRateLimit: 3,
      throttlingBurstLimit: 6,
    });
  });

  it('notifies the alarm topic when one is configured', async () => {
    const topic = 'arn:aws:sns:eu-west-1:123456789012:glyco-alerts';
    const stack = await run('prod', { alarmTopicArn: topic });
    for (const alarm of stack.resources.filter((r) => r.type === 'aws:cloudwatch/metricAlarm:MetricAlarm')) {
      expect(alarm.props.alarmActions).toEqual([topic]);
    }
  });
});
