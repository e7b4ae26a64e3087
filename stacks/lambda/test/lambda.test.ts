import { at, ENVIRONMENTS, evaluate, RULES, statementsOf } from '@glyco/infra';
import {
  boundaryGaps,
  fixtureBoundary,
  runStack,
  type StackRun,
  single,
  TEST_IMAGE,
} from '@glyco/infra/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { lambda } from '../src/lambda.ts';

const stackDir = new URL('..', import.meta.url).pathname;
const run = (stack: (typeof ENVIRONMENTS)[number], configOverrides: Record<string, unknown> = {}) =>
  runStack({
    project: 'glyco-lambda',
    stack,
    stackDir,
    program: lambda,
    configOverrides: { org: 'acme', image: TEST_IMAGE, ...configOverrides },
  });

describe.each(ENVIRONMENTS)('lambda stack, %s', (env) => {
  let stack: StackRun;
  // Each test reads the same run, and any one of them can run alone (`vitest -t`).
  beforeAll(async () => {
    stack = await run(env);
  });

  it('registers its resources under its committed config', () => {
    expect(stack.resources.length).toBeGreaterThan(10);
  });

  it('passes every policy rule', () => {
    expect(evaluate(stack.resources, RULES)).toEqual([]);
  });

  it('gives every role the platform workload boundary, and no role an action outside it', () => {
    expect(boundaryGaps(stack, env, fixtureBoundary(env))).toEqual([]);
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
    });
  });

  it('sizes the function and its concurrency from config', () => {
    const fn = single(stack, 'aws:lambda/function:Function').props;
    expect([fn.memorySize, fn.timeout, fn.reservedConcurrentExecutions]).toEqual(
      env === 'prod' ? [3008, 15, 100] : [2048, 15, 10],
    );
    const provisioned = stack.resources.filter(
      (r) => r.type === 'aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig',
    );
    expect(provisioned.map((p) => p.props.provisionedConcurrentExecutions)).toEqual(
      env === 'prod' ? [2] : [],
    );
  });

  it('serves HTTPS through a throttled HTTP API with access logs', () => {
    const stage = single(stack, 'aws:apigatewayv2/stage:Stage').props;
    expect(stage.defaultRouteSettings).toEqual(
      env === 'prod'
        ? { throttlingRateLimit: 500, throttlingBurstLimit: 1000 }
        : { throttlingRateLimit: 50, throttlingBurstLimit: 100 },
    );
    expect(String(stack.outputs.url)).toMatch(/^https:\/\//);
    expect(single(stack, 'aws:lambda/permission:Permission').props.principal).toBe(
      'apigateway.amazonaws.com',
    );
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

  it('lets the function read only its model prefix and its database secret', () => {
    const appAccess = statementsOf(single(stack, 'aws:iam/rolePolicy:RolePolicy', 'app-access').props.policy);
    expect(appAccess.map((s) => [s.Action, s.Resource])).toEqual([
      ['s3:ListBucket', `arn:aws:s3:::glyco-${env}-models-123456789012`],
      ['s3:GetObject', `arn:aws:s3:::glyco-${env}-models-123456789012/models/*`],
      [
        'secretsmanager:GetSecretValue',
        `arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0000-${env}-AbCdEf`,
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

describe('lambda config', () => {
  it('refuses an image that is not pinned by digest', async () => {
    await expect(
      run('dev', { image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/glyco:latest' }),
    ).rejects.toThrow(/pinned by digest/);
  });

  it('refuses more provisioned than reserved concurrency', async () => {
    await expect(run('dev', { provisionedConcurrency: 20 })).rejects.toThrow(
      /cannot exceed "reservedConcurrency"/,
    );
  });

  it('notifies the alarm topic when one is configured', async () => {
    const topic = 'arn:aws:sns:eu-west-1:123456789012:glyco-alerts';
    const stack = await run('prod', { alarmTopicArn: topic });
    for (const alarm of stack.resources.filter((r) => r.type === 'aws:cloudwatch/metricAlarm:MetricAlarm')) {
      expect(alarm.props.alarmActions).toEqual([topic]);
    }
  });
});
