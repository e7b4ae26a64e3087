import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { imageVolumes, writableBy } from '@glyco/delivery/dockerfile-volumes';
import { workspaceRoot } from '@glyco/delivery/paths';
import { at, ENVIRONMENTS, evaluate, RULES, statementsOf } from '@glyco/infra';
import {
  boundaryGaps,
  fixtureBoundary,
  resourcesOfType,
  runStack,
  type StackRun,
  single,
  TEST_IMAGE,
} from '@glyco/infra/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { ecs } from '../src/ecs.ts';

const stackDir = new URL('..', import.meta.url).pathname;
const CERTIFICATE = 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';
const run = (stack: (typeof ENVIRONMENTS)[number], configOverrides: Record<string, unknown> = {}) =>
  runStack({
    project: 'glyco-ecs',
    stack,
    stackDir,
    program: ecs,
    configOverrides: { org: 'acme', image: TEST_IMAGE, ...configOverrides },
  });

const container = (stack: StackRun) =>
  JSON.parse(String(single(stack, 'aws:ecs/taskDefinition:TaskDefinition').props.containerDefinitions))[0];

describe.each(ENVIRONMENTS)('ecs stack, %s', (env) => {
  let stack: StackRun;
  // Each test reads the same run, and any one of them can run alone (`vitest -t`).
  beforeAll(async () => {
    stack = await run(env, env === 'prod' ? { certificateArn: CERTIFICATE } : {});
  });

  it('registers its resources under its committed config (prod with its certificate set)', () => {
    expect(stack.resources.length).toBeGreaterThan(15);
  });

  it('passes every policy rule', () => {
    expect(evaluate(stack.resources, RULES)).toEqual([]);
  });

  it('gives every role the platform workload boundary, and no role an action outside it', () => {
    expect(boundaryGaps(stack, env, fixtureBoundary(env))).toEqual([]);
  });

  it('turns on Container Insights', () => {
    expect(single(stack, 'aws:ecs/cluster:Cluster').props.settings).toEqual([
      { name: 'containerInsights', value: 'enabled' },
    ]);
  });

  it('runs the tasks in private subnets without public IPs, rolling back a failed deployment', () => {
    const service = single(stack, 'aws:ecs/service:Service').props;
    expect(service).toMatchObject({
      launchType: 'FARGATE',
      networkConfiguration: {
        subnets: ['subnet-private-a', 'subnet-private-b'],
        assignPublicIp: false,
        securityGroups: [`glyco-${env}-ecs-tasks-id`, 'sg-workload'],
      },
      deploymentCircuitBreaker: { enable: true, rollback: true },
      loadBalancers: [{ containerName: 'api', containerPort: 8080 }],
    });
  });

  it('starts the node server from the image as a non-root user on a read-only root filesystem', () => {
    expect(container(stack)).toMatchObject({
      image: TEST_IMAGE,
      command: ['node', 'dist/server.mjs'],
      workingDirectory: '/app',
      user: '10001:10001',
      readonlyRootFilesystem: true,
      portMappings: [{ containerPort: 8080 }],
    });
    const environment = Object.fromEntries(
      container(stack).environment.map((v: { name: string; value: string }) => [v.name, v.value]),
    );
    expect(environment).toMatchObject({
      PORT: '8080',
      DATABASE_HOST: `glyco-${env}-db.abcdefghijkl.eu-west-1.rds.amazonaws.com`,
      DATABASE_PORT: '5432',
      DATABASE_NAME: 'glyco',
      MODEL_URI: `s3://glyco-${env}-models-123456789012/models/pima-diabetes@production`,
    });
  });

  it('mounts scratch space only where the image declares a VOLUME its user can write', () => {
    // A Fargate bind mount (a task volume with no EFS or Docker volume configuration) starts as a copy of the
    // image's directory when the image declares that path a VOLUME, and as an empty root-owned 0755 directory
    // otherwise: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bind-mounts.html.
    const taskDefinition = single(stack, 'aws:ecs/taskDefinition:TaskDefinition').props;
    const bindMounts = new Set(
      (taskDefinition.volumes as { name: string; efsVolumeConfiguration?: unknown }[])
        .filter((volume) => !volume.efsVolumeConfiguration)
        .map((volume) => volume.name),
    );
    const volumes = imageVolumes(readFileSync(join(workspaceRoot, 'Dockerfile'), 'utf8'));
    const mounts = (container(stack).mountPoints as { sourceVolume: string; containerPath: string }[]).filter(
      (mount) => bindMounts.has(mount.sourceVolume),
    );
    expect(mounts.length).toBeGreaterThan(0);
    for (const mount of mounts) {
      const volume = volumes.find((candidate) => candidate.path === mount.containerPath);
      expect(volume, `${mount.containerPath} is not a VOLUME of the image`).toBeDefined();
      expect(writableBy(volume!, container(stack).user), mount.containerPath).toBe(true);
    }
  });

  it('health-checks the targets on /ready', () => {
    const targetGroup = single(stack, 'aws:lb/targetGroup:TargetGroup').props;
    expect(targetGroup).toMatchObject({
      port: 8080,
      targetType: 'ip',
      healthCheck: { path: '/ready', matcher: '200' },
    });
  });

  it('puts the load balancer in the public subnets and lets it reach only the tasks', () => {
    const alb = single(stack, 'aws:lb/loadBalancer:LoadBalancer').props;
    expect(alb).toMatchObject({ internal: false, subnets: ['subnet-public-a', 'subnet-public-b'] });
    expect(
      single(stack, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule', 'tasks-from-alb').props,
    ).toMatchObject({
      fromPort: 8080,
      referencedSecurityGroupId: `glyco-${env}-alb-id`,
    });
  });

  it('scales on CPU and on requests per target between the configured bounds', () => {
    expect(single(stack, 'aws:appautoscaling/target:Target').props).toMatchObject({
      minCapacity: env === 'prod' ? 2 : 1,
      maxCapacity: env === 'prod' ? 10 : 2,
      resourceId: `service/glyco-${env}-cluster/glyco-${env}-api`,
    });
    const policies = resourcesOfType(stack, 'aws:appautoscaling/policy:Policy').map((p) =>
      at(p.props, 'targetTrackingScalingPolicyConfiguration', 'predefinedMetricSpecification'),
    );
    expect(policies).toEqual([
      { predefinedMetricType: 'ECSServiceAverageCPUUtilization' },
      {
        predefinedMetricType: 'ALBRequestCountPerTarget',
        resourceLabel: `app/glyco-${env}-alb/0123456789abcdef/targetgroup/glyco-${env}-api/0123456789abcdef`,
      },
    ]);
  });

  it('lets ECS pull only the app repository and write only the service log group', () => {
    const statements = statementsOf(
      single(stack, 'aws:iam/rolePolicy:RolePolicy', 'ecs-execution').props.policy,
    );
    expect(statements.find((s) => s.Sid === 'PullAppImage')?.Resource).toBe(
      'arn:aws:ecr:eu-west-1:123456789012:repository/glyco-dev-app',
    );
  });
});

describe('ecs with a certificate', () => {
  it('serves HTTPS with a TLS 1.2+ policy and redirects HTTP to HTTPS', async () => {
    const stack = await run('prod', { certificateArn: CERTIFICATE });
    const listeners = Object.fromEntries(
      resourcesOfType(stack, 'aws:lb/listener:Listener').map((l) => [l.props.port, l.props]),
    );
    expect(listeners[443]).toMatchObject({
      protocol: 'HTTPS',
      certificateArn: CERTIFICATE,
      sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    });
    expect(listeners[80]?.defaultActions).toEqual([
      { type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } },
    ]);
    expect(String(stack.outputs.url)).toMatch(/^https:\/\//);
  });
});

describe('ecs config', () => {
  it('serves plain HTTP in dev when no certificate is configured', async () => {
    const stack = await run('dev');
    const listeners = resourcesOfType(stack, 'aws:lb/listener:Listener');
    expect(listeners.map((l) => [l.props.port, l.props.protocol])).toEqual([[80, 'HTTP']]);
    expect(String(stack.outputs.url)).toMatch(/^http:\/\/glyco-dev-alb.*elb\.amazonaws\.com$/);
  });

  it('refuses to serve prod without a certificate', async () => {
    await expect(run('prod')).rejects.toThrow(/certificateArn" is required in prod/);
  });

  it('refuses a memory size Fargate does not offer for the CPU', async () => {
    await expect(run('dev', { cpu: 512, memoryMb: 8192 })).rejects.toThrow(/memoryMb.*1024 to 4096/);
  });

  it('refuses a command that is not a list of strings', async () => {
    await expect(run('dev', { command: 'node dist/server.mjs' })).rejects.toThrow(/command/);
  });
});
