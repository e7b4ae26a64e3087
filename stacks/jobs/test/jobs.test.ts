import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { imageVolumes, writableBy } from '@glyco/delivery/dockerfile-volumes';
import { workspaceRoot } from '@glyco/delivery/paths';
import { type AccessRequest, asList, decideWithin, ENVIRONMENTS, statementsOf } from '@glyco/infra';
import {
  componentTypes,
  fixtureBoundary,
  outputsMissingFromReadme,
  platformFixture,
  previewAccess,
  resourcesOfType,
  runProgramWithNode,
  runStack,
  type StackRun,
  single,
  TEST_ACCOUNT_ID,
  TEST_IMAGE,
  TEST_REGION,
  targetConventionBreaches,
} from '@glyco/infra/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { jobs } from '../src/jobs.ts';

const stackDir = new URL('..', import.meta.url).pathname;
const REPOSITORY = 'acme/glyco';
const run = (
  stack: (typeof ENVIRONMENTS)[number],
  configOverrides: Record<string, unknown> = {},
  platform: Record<string, unknown> = {},
) =>
  runStack({
    project: 'glyco-jobs',
    stack,
    stackDir,
    program: jobs,
    configOverrides: { org: 'acme', image: TEST_IMAGE, ...configOverrides },
    platform: { githubRepository: REPOSITORY, ...platform },
  });

type Container = {
  name: string;
  image: string;
  command?: string[];
  user: string;
  readonlyRootFilesystem: boolean;
  environment: { name: string; value: string }[];
  mountPoints: { sourceVolume: string; containerPath: string }[];
  logConfiguration: { logDriver: string; options: Record<string, string> };
};
const taskDefinition = (stack: StackRun, purpose: 'job' | 'score') =>
  single(stack, 'aws:ecs/taskDefinition:TaskDefinition', `-${purpose}`).props;
const containerOf = (stack: StackRun, purpose: 'job' | 'score'): Container =>
  JSON.parse(String(taskDefinition(stack, purpose).containerDefinitions))[0];
const variablesOf = (stack: StackRun, purpose: 'job' | 'score') =>
  Object.fromEntries(containerOf(stack, purpose).environment.map((v) => [v.name, v.value]));

/** A role's inline documents, by the role's resource name (`glyco-<env>-<purpose>`). */
function documentsOf(stack: StackRun, roleName: string) {
  return resourcesOfType(stack, 'aws:iam/rolePolicy:RolePolicy')
    .filter((policy) => policy.name.startsWith(roleName))
    .map((policy) => ({ Statement: statementsOf(policy.props.policy) }));
}

/** The shell words of a command line, split by bash itself (the way a person's terminal would). */
function shellWords(command: string): string[] {
  const out = execFileSync('bash', ['-c', 'eval "set -- $1"; printf "%s\\0" "$@"', '_', command], {
    encoding: 'utf8',
  });
  return out.split('\0').slice(0, -1);
}

/** `--flag value` pairs of an `aws ecs run-task …` command line (every option of run-task takes a value). */
function runTaskOptions(command: string): Map<string, string> {
  const words = shellWords(command);
  expect(words.slice(0, 3)).toEqual(['aws', 'ecs', 'run-task']);
  const options = new Map<string, string>();
  for (let i = 3; i < words.length; i += 2) {
    expect(words[i]).toMatch(/^--[a-z-]+$/);
    expect(words[i + 1], `${words[i]} has a value`).toBeDefined();
    options.set(words[i]!, words[i + 1]!);
  }
  return options;
}

/**
 * The options of `aws ecs run-task` (AWS CLI v2 reference, https://docs.aws.amazon.com/cli/latest/reference/ecs/run-task.html,
 * the RunTask request members of https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html in
 * kebab case) and the global options, written out here so that a misspelt flag fails.
 */
const RUN_TASK_OPTIONS = new Set([
  '--capacity-provider-strategy',
  '--cluster',
  '--count',
  '--enable-ecs-managed-tags',
  '--enable-execute-command',
  '--group',
  '--launch-type',
  '--network-configuration',
  '--overrides',
  '--placement-constraints',
  '--placement-strategy',
  '--platform-version',
  '--propagate-tags',
  '--reference-id',
  '--started-by',
  '--tags',
  '--task-definition',
  '--client-token',
  '--volume-configurations',
  '--region',
  '--query',
  '--output',
]);

describe.each(ENVIRONMENTS)('jobs stack, %s', (env) => {
  let stack: StackRun;
  const platform = platformFixture(env);
  const bucket = platform.modelBucketArn;
  const boundary = fixtureBoundary(env);
  const can = (roleName: string, request: AccessRequest) =>
    decideWithin(documentsOf(stack, roleName), boundary.policy, request);
  const object = (key: string) => `${bucket}/${key}`;
  const variables = (purpose: 'job' | 'score') => variablesOf(stack, purpose);

  beforeAll(async () => {
    stack = await run(env);
  });

  it('meets the conventions of a stack: policy rules, workload boundary, a tree of components, generated names', () => {
    expect(targetConventionBreaches(stack, env)).toEqual([]);
    expect(outputsMissingFromReadme('jobs', stack.outputs)).toEqual([]);
    expect(componentTypes(stack)).toEqual(
      expect.arrayContaining([
        'glyco:infra:FargateTask',
        'glyco:jobs:JobLogs',
        'glyco:jobs:JobSchedule',
        'glyco:jobs:WorkflowRole',
      ]),
    );
  });

  it('runs the job and the scorer from the jobs image as a non-root user on a read-only root filesystem', () => {
    for (const purpose of ['job', 'score'] as const) {
      expect(containerOf(stack, purpose)).toMatchObject({
        image: TEST_IMAGE,
        user: '10001:10001',
        readonlyRootFilesystem: true,
      });
      expect(taskDefinition(stack, purpose)).toMatchObject({
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        family: `glyco-${env}-${purpose}`,
      });
    }
  });

  it('runs `glyco job` for the configured model and retrain policy, printing its JSON', () => {
    expect(containerOf(stack, 'job').command).toEqual([
      'job',
      'pima-diabetes',
      '--registry',
      `s3://${platform.modelBucketName}/models`,
      '--alias',
      'production',
      '--retrain',
      env === 'prod' ? 'on-drift' : 'never',
      '--since',
      '7d',
      '--json',
    ]);
    // The scorer's command is given when it is started (the scoreCommand output).
    expect(containerOf(stack, 'score').command).toBeUndefined();
  });

  it('gives the job the database as the server reads it, and the scorer no database at all', () => {
    expect(variables('job')).toMatchObject({
      DATABASE_SECRET_ARN: platform.databaseSecretArn,
      DATABASE_HOST: platform.databaseEndpoint,
      DATABASE_PORT: '5432',
      DATABASE_NAME: 'glyco',
      AWS_REGION: TEST_REGION,
    });
    expect(Object.keys(variables('score')).filter((name) => name.startsWith('DATABASE_'))).toEqual([]);
  });

  it("verifies models with the platform's public key in both tasks, and only the job signs what it publishes", () => {
    // The servers refuse an unsigned version: a challenger the job published unsigned would never serve.
    expect(variables('job')).toMatchObject({
      MODEL_SIGNING_PUBLIC_KEY: platform.modelSigningPublicKeyPem,
      GLYCO_KMS_SIGNING_KEY: platform.modelSigningKeyArn,
    });
    expect(variables('score').MODEL_SIGNING_PUBLIC_KEY).toBe(platform.modelSigningPublicKeyPem);
    expect(variables('score')).not.toHaveProperty('GLYCO_KMS_SIGNING_KEY');
    const sign = {
      action: 'kms:Sign',
      resource: platform.modelSigningKeyArn,
      // The platform tags the key as it tags everything (the boundary recognises the environment's keys by tag).
      context: {
        'kms:SigningAlgorithm': 'ECDSA_SHA_256',
        'aws:ResourceTag/project': 'glyco',
        'aws:ResourceTag/environment': env,
      },
    };
    expect(can(`glyco-${env}-job-task`, sign)).toBe('allowed');
    const rsa = { ...sign, context: { ...sign.context, 'kms:SigningAlgorithm': 'RSASSA_PSS_SHA_256' } };
    expect(can(`glyco-${env}-job-task`, rsa)).not.toBe('allowed');
    expect(can(`glyco-${env}-score-task`, sign)).not.toBe('allowed');
  });

  it('mounts scratch space only where the image declares a VOLUME its user can write', () => {
    const volumes = imageVolumes(readFileSync(join(workspaceRoot, 'Dockerfile'), 'utf8'));
    for (const purpose of ['job', 'score'] as const) {
      const container = containerOf(stack, purpose);
      expect(container.mountPoints.map((m) => m.containerPath)).toEqual(['/tmp']);
      const volume = volumes.find((candidate) => candidate.path === '/tmp');
      expect(volume && writableBy(volume, container.user)).toBe(true);
    }
  });

  it('logs both tasks to one log group, encrypted with a key of its own that rotates, kept for the configured days', () => {
    const logGroup = single(stack, 'aws:cloudwatch/logGroup:LogGroup').props;
    expect(logGroup).toMatchObject({
      name: `/jobs/glyco-${env}-jobs`,
      retentionInDays: env === 'prod' ? 90 : 14,
      kmsKeyId: expect.stringMatching(/^arn:aws:kms:/),
    });
    const key = single(stack, 'aws:kms/key:Key').props;
    expect(key.enableKeyRotation).toBe(true);
    // CloudWatch Logs may use the key for this log group only (encryption context), on behalf of this account.
    const logsStatement = statementsOf(key.policy).find((s) => JSON.stringify(s.Principal).includes('logs.'));
    expect(logsStatement?.Condition).toEqual({
      ArnEquals: {
        'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${TEST_REGION}:${TEST_ACCOUNT_ID}:log-group:/jobs/glyco-${env}-jobs`,
      },
    });
    for (const purpose of ['job', 'score'] as const) {
      expect(containerOf(stack, purpose).logConfiguration).toEqual({
        logDriver: 'awslogs',
        options: {
          'awslogs-group': `/jobs/glyco-${env}-jobs`,
          'awslogs-region': TEST_REGION,
          'awslogs-stream-prefix': purpose,
        },
      });
    }
  });

  it('starts the job on the configured schedule, in the private subnets with no public IP, retrying, with a dead-letter queue', () => {
    const schedule = single(stack, 'aws:scheduler/schedule:Schedule').props;
    const cluster = single(stack, 'aws:ecs/cluster:Cluster');
    const queue = single(stack, 'aws:sqs/queue:Queue');
    expect(schedule).toMatchObject({
      scheduleExpression: 'cron(30 5 * * ? *)',
      scheduleExpressionTimezone: 'Europe/Amsterdam',
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      groupName: `glyco-${env}-jobs`,
      target: {
        arn: `arn:aws:ecs:${TEST_REGION}:${TEST_ACCOUNT_ID}:cluster/${cluster.props.name}`,
        ecsParameters: {
          taskDefinitionArn: `arn:aws:ecs:${TEST_REGION}:${TEST_ACCOUNT_ID}:task-definition/glyco-${env}-job:1`,
          launchType: 'FARGATE',
          taskCount: 1,
          networkConfiguration: {
            subnets: platform.privateSubnetIds,
            securityGroups: [platform.workloadSecurityGroupId],
            assignPublicIp: false,
          },
        },
        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
        deadLetterConfig: { arn: `arn:aws:sqs:${TEST_REGION}:${TEST_ACCOUNT_ID}:${queue.props.name}` },
      },
    });
    expect(queue.props).toMatchObject({ sqsManagedSseEnabled: true, messageRetentionSeconds: 1_209_600 });
  });

  it('lets the scheduler role start the job task on the jobs cluster only, passing the job roles to ECS only', () => {
    const scheduler = `glyco-${env}-job-scheduler`;
    const cluster = `arn:aws:ecs:${TEST_REGION}:${TEST_ACCOUNT_ID}:cluster/glyco-${env}-jobs`;
    const taskDefinitionArn = (family: string) =>
      `arn:aws:ecs:${TEST_REGION}:${TEST_ACCOUNT_ID}:task-definition/${family}:7`;
    const role = (name: string) => `arn:aws:iam::${TEST_ACCOUNT_ID}:role/${name}`;
    const run = (family: string, onCluster = cluster) =>
      can(scheduler, {
        action: 'ecs:RunTask',
        resource: taskDefinitionArn(family),
        context: { 'ecs:cluster': onCluster },
      });
    const pass = (name: string, service = 'ecs-tasks.amazonaws.com') =>
      can(scheduler, {
        action: 'iam:PassRole',
        resource: role(name),
        context: { 'iam:PassedToService': service },
      });
    expect(run(`glyco-${env}-job`)).toBe('allowed');
    expect(run(`glyco-${env}-score`)).toBe('implicitly-denied');
    expect(run(`glyco-${env}-api`)).toBe('implicitly-denied');
    expect(run(`glyco-${env}-job`, cluster.replace('-jobs', '-cluster'))).toBe('implicitly-denied');
    expect(pass(`glyco-${env}-job-task`)).toBe('allowed');
    expect(pass(`glyco-${env}-job-execution`)).toBe('allowed');
    expect(pass(`glyco-${env}-score-task`)).toBe('implicitly-denied');
    expect(pass(`glyco-${env}-job-task`, 'lambda.amazonaws.com')).toBe('implicitly-denied');
    expect(pass(`glyco-${env}-github-deploy`)).toBe('implicitly-denied');
    const queue = single(stack, 'aws:sqs/queue:Queue').props.name;
    expect(
      can(scheduler, {
        action: 'sqs:SendMessage',
        resource: `arn:aws:sqs:${TEST_REGION}:${TEST_ACCOUNT_ID}:${queue}`,
      }),
    ).toBe('allowed');
    // Only EventBridge Scheduler acting for this account and this schedule group may assume it.
    const trust = statementsOf(single(stack, 'aws:iam/role:Role', scheduler).props.assumeRolePolicy);
    expect(trust).toEqual([
      expect.objectContaining({
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          ArnLike: {
            'aws:SourceArn': `arn:aws:scheduler:${TEST_REGION}:${TEST_ACCOUNT_ID}:schedule-group/glyco-${env}-jobs`,
          },
          StringEquals: { 'aws:SourceAccount': TEST_ACCOUNT_ID },
        },
      }),
    ]);
  });

  it("lets the job read the log's secret and write its own model's registry entries, and nothing else", () => {
    const job = `glyco-${env}-job-task`;
    const other = `arn:aws:s3:::someone-elses-bucket`;
    const allowed: AccessRequest[] = [
      { action: 's3:GetObject', resource: object('models/pima-diabetes/aliases/production.json') },
      { action: 's3:GetObject', resource: object('models/pima-diabetes/1.1.0/model.onnx') },
      { action: 's3:PutObject', resource: object('models/pima-diabetes/1.2.0/manifest.json') },
      { action: 's3:PutObject', resource: object('models/pima-diabetes/runs/2026-12-03T05-30-00Z.json') },
      { action: 's3:PutObject', resource: object(`models/pima-diabetes/datasets/${'a'.repeat(64)}.csv`) },
      { action: 's3:PutObject', resource: object('models/pima-diabetes/locks/retrain.json') },
      { action: 's3:PutObject', resource: object('models/pima-diabetes/aliases/production.json') },
      { action: 's3:ListBucket', resource: bucket, context: { 's3:prefix': 'models/pima-diabetes/' } },
      { action: 'secretsmanager:GetSecretValue', resource: platform.databaseSecretArn },
      {
        action: 'kms:Decrypt',
        resource: platform.databaseKmsKeyArn,
        context: { 'kms:ViaService': `secretsmanager.${TEST_REGION}.amazonaws.com` },
      },
    ];
    for (const request of allowed) expect(can(job, request), JSON.stringify(request)).toBe('allowed');
    const refused: AccessRequest[] = [
      { action: 's3:DeleteObject', resource: object('models/pima-diabetes/1.1.0/model.onnx') },
      { action: 's3:DeleteObjectVersion', resource: object('models/pima-diabetes/1.1.0/model.onnx') },
      { action: 's3:PutObject', resource: object('models/another-model/aliases/production.json') },
      { action: 's3:PutObject', resource: object('scoring/output/scores.csv') },
      { action: 's3:PutObject', resource: `${other}/models/pima-diabetes/runs/x.json` },
      { action: 's3:GetObject', resource: `${other}/models/pima-diabetes/aliases/production.json` },
      { action: 's3:PutBucketPolicy', resource: bucket },
      { action: 'secretsmanager:GetSecretValue', resource: platform.apiKeysSecretArn },
      { action: 'kms:Decrypt', resource: platform.databaseKmsKeyArn },
    ];
    for (const request of refused) expect(can(job, request), JSON.stringify(request)).not.toBe('allowed');
  });

  it('lets the scorer read the registry and the input prefix and write the output prefix, and nothing else', () => {
    const score = `glyco-${env}-score-task`;
    const allowed: AccessRequest[] = [
      { action: 's3:GetObject', resource: object('models/pima-diabetes/aliases/production.json') },
      { action: 's3:GetObject', resource: object('models/pima-diabetes/1.1.0/model.onnx') },
      { action: 's3:GetObject', resource: object('scoring/input/2026-12/patients.csv') },
      { action: 's3:PutObject', resource: object('scoring/output/2026-12/patients.csv') },
      { action: 's3:AbortMultipartUpload', resource: object('scoring/output/2026-12/patients.csv') },
    ];
    for (const request of allowed) expect(can(score, request), JSON.stringify(request)).toBe('allowed');
    const refused: AccessRequest[] = [
      { action: 's3:PutObject', resource: object('models/pima-diabetes/aliases/production.json') },
      { action: 's3:PutObject', resource: object('models/pima-diabetes/1.2.0/model.onnx') },
      { action: 's3:PutObject', resource: object('scoring/input/patients.csv') },
      { action: 's3:GetObject', resource: object('scoring/output/someone-elses.csv') },
      { action: 's3:DeleteObject', resource: object('scoring/input/patients.csv') },
      { action: 'secretsmanager:GetSecretValue', resource: platform.databaseSecretArn },
    ];
    for (const request of refused) expect(can(score, request), JSON.stringify(request)).not.toBe('allowed');
  });

  it('lets GitHub Actions, in the jobs environment only, start and watch the job and read its log, and nothing else', () => {
    const workflow = `glyco-${env}-github-jobs`;
    const cluster = `arn:aws:ecs:${TEST_REGION}:${TEST_ACCOUNT_ID}:cluster/glyco-${env}-jobs`;
    const logGroup = `arn:aws:logs:${TEST_REGION}:${TEST_ACCOUNT_ID}:log-group:/jobs/glyco-${env}-jobs`;
    const task = `arn:aws:ecs:${TEST_REGION}:${TEST_ACCOUNT_ID}:task/glyco-${env}-jobs/0123456789abcdef`;
    const allowed: AccessRequest[] = [
      {
        action: 'ecs:RunTask',
        resource: `arn:aws:ecs:${TEST_REGION}:${TEST_ACCOUNT_ID}:task-definition/glyco-${env}-job:3`,
        context: { 'ecs:cluster': cluster },
      },
      {
        action: 'iam:PassRole',
        resource: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/glyco-${env}-job-task`,
        context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
      },
      { action: 'ecs:DescribeTasks', resource: task, context: { 'ecs:cluster': cluster } },
      { action: 'ecs:StopTask', resource: task, context: { 'ecs:cluster': cluster } },
      { action: 'logs:GetLogEvents', resource: `${logGroup}:log-stream:job/glyco/0123456789abcdef` },
      {
        action: 'scheduler:GetSchedule',
        resource: `arn:aws:scheduler:${TEST_REGION}:${TEST_ACCOUNT_ID}:schedule/glyco-${env}-jobs/glyco-${env}-job`,
      },
      { action: 'ecs:DescribeTaskDefinition', resource: '*' },
    ];
    for (const request of allowed) expect(can(workflow, request), JSON.stringify(request)).toBe('allowed');
    const refused: AccessRequest[] = [
      {
        action: 'ecs:RunTask',
        resource: `arn:aws:ecs:${TEST_REGION}:${TEST_ACCOUNT_ID}:task-definition/glyco-${env}-api:3`,
        context: { 'ecs:cluster': cluster },
      },
      {
        action: 'iam:PassRole',
        resource: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/glyco-${env}-ecs-task`,
        context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
      },
      { action: 's3:GetObject', resource: object('models/pima-diabetes/aliases/production.json') },
      { action: 'secretsmanager:GetSecretValue', resource: platform.databaseSecretArn },
      { action: 'logs:GetLogEvents', resource: `${logGroup.replace('/jobs/', '/ecs/')}:log-stream:x` },
      {
        action: 'scheduler:GetSchedule',
        resource: `arn:aws:scheduler:${TEST_REGION}:${TEST_ACCOUNT_ID}:schedule/default/someone-elses`,
      },
      {
        action: 'ecs:RunTask',
        resource: `arn:aws:ecs:${TEST_REGION}:${TEST_ACCOUNT_ID}:task-definition/glyco-${env}-score:3`,
        context: { 'ecs:cluster': cluster },
      },
    ];
    for (const request of refused)
      expect(can(workflow, request), JSON.stringify(request)).not.toBe('allowed');
    const trust = statementsOf(single(stack, 'aws:iam/role:Role', workflow).props.assumeRolePolicy);
    expect(trust[0]?.Condition).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': `repo:${REPOSITORY}:environment:${env === 'prod' ? 'jobs' : 'jobs-dev'}`,
      },
    });
    expect(trust[0]?.Principal).toEqual({ Federated: platform.githubOidcProviderArn });
  });

  it('gives the exact `aws ecs run-task` command lines to score a file and to run the job now', () => {
    for (const [output, family] of [
      ['scoreCommand', `glyco-${env}-score`],
      ['retrainCommand', `glyco-${env}-job`],
    ] as const) {
      const options = runTaskOptions(String(stack.outputs[output]));
      for (const flag of options.keys()) expect(RUN_TASK_OPTIONS, flag).toContain(flag);
      expect(options.get('--cluster')).toBe(`glyco-${env}-jobs`);
      expect(options.get('--task-definition')).toBe(family);
      expect(options.get('--launch-type')).toBe('FARGATE');
      expect(options.get('--region')).toBe(TEST_REGION);
      expect(JSON.parse(options.get('--network-configuration')!)).toEqual({
        awsvpcConfiguration: {
          subnets: platform.privateSubnetIds,
          securityGroups: [platform.workloadSecurityGroupId],
          assignPublicIp: 'DISABLED',
        },
      });
      const overrides = JSON.parse(options.get('--overrides')!);
      expect(overrides.containerOverrides).toHaveLength(1);
      expect(overrides.containerOverrides[0].name).toBe(
        containerOf(stack, family.endsWith('job') ? 'job' : 'score').name,
      );
    }
    const score = JSON.parse(runTaskOptions(String(stack.outputs.scoreCommand)).get('--overrides')!);
    expect(score.containerOverrides[0].command).toEqual([
      'score',
      '--model',
      `s3://${platform.modelBucketName}/models/pima-diabetes@production`,
      '--data',
      `s3://${platform.modelBucketName}/scoring/input/<file>.csv`,
      '--out',
      `s3://${platform.modelBucketName}/scoring/output/<file>.csv`,
    ]);
    const retrain = JSON.parse(runTaskOptions(String(stack.outputs.retrainCommand)).get('--overrides')!);
    expect(retrain.containerOverrides[0].command).toEqual([
      ...containerOf(stack, 'job').command!.slice(0, 6),
      '--retrain',
      'always',
      '--since',
      '7d',
      '--json',
    ]);
  });

  it('names the schedule, its expression and time zone, the log group, and the role the workflows assume', () => {
    expect(stack.outputs).toMatchObject({
      scheduleName: single(stack, 'aws:scheduler/schedule:Schedule').props.name,
      schedule: 'cron(30 5 * * ? *) Europe/Amsterdam',
      logGroup: `/jobs/glyco-${env}-jobs`,
      clusterName: `glyco-${env}-jobs`,
      workflowRoleArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/glyco-${env}-github-jobs`,
    });
    expect(asList(stack.outputs.scheduleName as string)).toHaveLength(1);
  });
});

describe('jobs config', () => {
  it('checks no signature while requireSignedModels is off, and the job still signs what it publishes', async () => {
    const stack = await run('dev', { requireSignedModels: false });
    const variables = (purpose: 'job' | 'score') => variablesOf(stack, purpose);
    expect(variables('job')).not.toHaveProperty('MODEL_SIGNING_PUBLIC_KEY');
    expect(variables('score')).not.toHaveProperty('MODEL_SIGNING_PUBLIC_KEY');
    expect(variables('job').GLYCO_KMS_SIGNING_KEY).toBe(platformFixture('dev').modelSigningKeyArn);
  });

  it('sets the schedule, its time zone, its state, the retrain policy and the drift window from config', async () => {
    const stack = await run('dev', {
      schedule: 'cron(0 3 ? * MON *)',
      scheduleTimezone: 'UTC',
      retrainPolicy: 'always',
      driftWindow: '30d',
      scheduleEnabled: false,
    });
    expect(single(stack, 'aws:scheduler/schedule:Schedule').props).toMatchObject({
      scheduleExpression: 'cron(0 3 ? * MON *)',
      scheduleExpressionTimezone: 'UTC',
      state: 'DISABLED',
    });
    expect(containerOf(stack, 'job').command).toEqual(
      expect.arrayContaining(['--retrain', 'always', '--since', '30d']),
    );
  });

  it('scores under configured prefixes of the registry bucket', async () => {
    const stack = await run('dev', { scoreInputPrefix: 'scoring/in/', scoreOutputPrefix: 'scoring/out/' });
    const command = JSON.parse(runTaskOptions(String(stack.outputs.scoreCommand)).get('--overrides')!)
      .containerOverrides[0].command;
    expect(command).toContain('s3://glyco-dev-models-123456789012/scoring/in/<file>.csv');
    expect(command).toContain('s3://glyco-dev-models-123456789012/scoring/out/<file>.csv');
  });

  it.each([
    [
      { schedule: '0 5 * * *' },
      /"schedule" must be an EventBridge Scheduler expression, cron\(…\) or rate\(…\)/,
    ],
    [{ scheduleTimezone: 'Mars/Olympus' }, /"scheduleTimezone" .*IANA time zone/],
    [{ retrainPolicy: 'sometimes' }, /retrainPolicy/],
    [{ driftWindow: 'a week' }, /"driftWindow" must be a duration such as 7d/],
    [{ scoreOutputPrefix: 'models/' }, /"scoreOutputPrefix" must be under scoring\/.*boundary/],
    [{ scoreInputPrefix: 'scoring/same/', scoreOutputPrefix: 'scoring/same/' }, /must differ/],
    [{ jobCpu: 512, jobMemoryMb: 8192 }, /jobMemoryMb.*1024 to 4096/],
    [{ image: 'glyco-jobs:latest' }, /Config "image" must be an ECR image pinned by digest/],
  ])('refuses %j before creating anything', async (overrides, message) => {
    await expect(run('dev', overrides)).rejects.toThrow(message);
  });

  it('needs the jobs image: it says how the pipeline sets it rather than running the serving image', async () => {
    await expect(
      runStack({
        project: 'glyco-jobs',
        stack: 'dev',
        stackDir,
        program: jobs,
        configOverrides: { org: 'acme' },
      }),
    ).rejects.toThrow(/Config "image" is required: the jobs image .*--target jobs/);
  });

  it('says to update the platform first when it lacks the GitHub outputs the workflow role trusts', async () => {
    await expect(run('dev', {}, { githubRepository: undefined })).rejects.toThrow(
      /platform stack .*githubRepository.*pulumi up.*stacks\/platform/,
    );
  });
});

describe('jobs previewed by a pull request, with the read-only preview role', () => {
  it('makes only lookups ReadOnlyAccess allows and the role does not forbid: the model in the registry', async () => {
    const stack = await run('prod');
    expect(previewAccess(stack)).toEqual({
      actions: ['sts:GetCallerIdentity', 's3:ListBucket'],
      refusals: [],
    });
  });
});

describe('jobs under plain Node, as the Pulumi CLI loads it (Pulumi.yaml: typescript false)', () => {
  it.each(ENVIRONMENTS)(
    'runs index.ts in %s',
    async (env) => {
      const load = await runProgramWithNode({
        stackDir,
        project: 'glyco-jobs',
        stack: env,
        configOverrides: { image: TEST_IMAGE },
        platform: { githubRepository: REPOSITORY },
      });
      expect(load.stderr).not.toMatch(/Error/);
      expect(load.status).toBe(0);
      expect(load.run?.outputs.scoreCommand).toMatch(/^aws ecs run-task /);
    },
    70_000,
  );
});
