import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { imageVolumes, writableBy } from '@glyco/delivery/dockerfile-volumes';
import { workspaceRoot } from '@glyco/delivery/paths';
import { at, ENVIRONMENTS, statementsOf } from '@glyco/infra';
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
  targetConventionBreaches,
} from '@glyco/infra/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { ecs } from '../src/ecs.ts';

const stackDir = new URL('..', import.meta.url).pathname;
const CERTIFICATE = 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';
/** What a person sets on prod before its first deploy: the public name and the hosted zone that holds it. */
const DOMAIN = { domainName: 'api.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ' };
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
    stack = await run(env, env === 'prod' ? DOMAIN : {});
  });

  it('registers its resources under its committed config (prod with its domain set)', () => {
    expect(stack.resources.length).toBeGreaterThan(15);
  });

  it('meets the conventions of a target: policy rules, workload boundary, a tree of components, generated names', () => {
    expect(targetConventionBreaches(stack, env)).toEqual([]);
    expect(outputsMissingFromReadme('ecs', stack.outputs)).toEqual([]);
    expect(componentTypes(stack)).toEqual(
      expect.arrayContaining([
        'glyco:ecs:PublicLoadBalancer',
        'glyco:ecs:FargateService',
        'glyco:ecs:TaskRoles',
        'glyco:ecs:ServiceAutoscaling',
      ]),
    );
  });

  it(`writes the load balancer's access logs to the platform's bucket in prod only`, () => {
    const alb = single(stack, 'aws:lb/loadBalancer:LoadBalancer').props;
    expect(alb.accessLogs).toEqual(
      env === 'prod'
        ? { bucket: 'glyco-prod-access-logs-123456789012', prefix: 'alb/ecs', enabled: true }
        : undefined,
    );
  });

  it('puts a WAF web ACL in front of the load balancer in prod: a per-IP rate rule and the common rule set', () => {
    const acls = resourcesOfType(stack, 'aws:wafv2/webAcl:WebAcl');
    const associations = resourcesOfType(stack, 'aws:wafv2/webAclAssociation:WebAclAssociation');
    if (env !== 'prod') {
      expect([acls, associations]).toEqual([[], []]);
      return;
    }
    const [acl] = acls;
    expect(at(acl!.props, 'rules', 0, 'statement', 'rateBasedStatement')).toEqual({
      limit: 10_000,
      aggregateKeyType: 'IP',
      evaluationWindowSec: 300,
    });
    expect(at(acl!.props, 'rules', 1, 'statement', 'managedRuleGroupStatement')).toMatchObject({
      name: 'AWSManagedRulesCommonRuleSet',
      ruleActionOverrides: [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }],
    });
    expect(associations).toHaveLength(1);
    expect(associations[0]!.props.webAclArn).toBe(`arn:aws:wafv2:eu-west-1:123456789012:${acl!.props.name}`);
    const lb = single(stack, 'aws:lb/loadBalancer:LoadBalancer');
    expect(associations[0]!.props.resourceArn).toBe(`arn:aws:lb:eu-west-1:123456789012:${lb.name}`);
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

describe('ecs with a domain', () => {
  let stack: StackRun;
  beforeAll(async () => {
    stack = await run('prod', DOMAIN);
  });

  it('serves https://<domainName>, a name a certificate can cover', () => {
    expect(stack.outputs.url).toBe('https://api.example.com');
  });

  it('makes a DNS-validated certificate for the name and serves it with a TLS 1.2+ policy', () => {
    expect(single(stack, 'aws:acm/certificate:Certificate').props).toMatchObject({
      domainName: 'api.example.com',
      validationMethod: 'DNS',
    });
    const records = resourcesOfType(stack, 'aws:route53/record:Record');
    const validation = records.find((record) => record.props.type === 'CNAME')?.props;
    expect(validation).toMatchObject({ zoneId: 'Z0123456789ABCDEFGHIJ', name: '_0123abcd.api.example.com.' });
    expect(
      single(stack, 'aws:acm/certificateValidation:CertificateValidation').props.validationRecordFqdns,
    ).toEqual(['_0123abcd.api.example.com']);
    const listeners = Object.fromEntries(
      resourcesOfType(stack, 'aws:lb/listener:Listener').map((l) => [l.props.port, l.props]),
    );
    expect(listeners[443]).toMatchObject({
      protocol: 'HTTPS',
      certificateArn: expect.stringMatching(/^arn:aws:acm:eu-west-1:123456789012:certificate\//),
      sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    });
    expect(listeners[80]?.defaultActions).toEqual([
      { type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } },
    ]);
  });

  it('points the name at the load balancer with an alias record', () => {
    const alias = resourcesOfType(stack, 'aws:route53/record:Record').find(
      (record) => record.props.type === 'A',
    );
    expect(alias?.props).toMatchObject({
      zoneId: 'Z0123456789ABCDEFGHIJ',
      name: 'api.example.com',
      aliases: [
        {
          name: expect.stringMatching(/\.eu-west-1\.elb\.amazonaws\.com$/),
          zoneId: 'Z32O12XQLNTSW2',
          evaluateTargetHealth: true,
        },
      ],
    });
  });

  it('uses a given certificate instead of making one', async () => {
    const given = await run('prod', { ...DOMAIN, certificateArn: CERTIFICATE });
    expect(resourcesOfType(given, 'aws:acm/certificate:Certificate')).toEqual([]);
    const https = resourcesOfType(given, 'aws:lb/listener:Listener').find((l) => l.props.port === 443);
    expect(https?.props.certificateArn).toBe(CERTIFICATE);
    expect(given.outputs.url).toBe('https://api.example.com');
  });

  it('finds the zone by name when hostedZoneName is given', async () => {
    const byName = await run('prod', { domainName: 'api.example.com', hostedZoneName: 'example.com' });
    const alias = resourcesOfType(byName, 'aws:route53/record:Record').find(
      (record) => record.props.type === 'A',
    );
    expect(alias?.props.zoneId).toBe('Z0TESTZONE0123456789');
  });
});

describe('ecs with nothing but its committed config (a bare `pulumi up`)', () => {
  const bare = (invokes?: Parameters<typeof runStack>[0]['invokes'], configOverrides = {}) =>
    runStack({ project: 'glyco-ecs', stack: 'dev', stackDir, program: ecs, configOverrides, invokes });
  const REPOSITORY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/glyco-dev-app';

  it("reads the platform stack of the stack's own Pulumi organization", async () => {
    const stack = await bare();
    expect(single(stack, 'pulumi:pulumi:StackReference').props.name).toBe('glyco-test/glyco-platform/dev');
  });

  it("deploys the newest image of the platform's repository, pinned by its digest", async () => {
    const asked: Record<string, unknown>[] = [];
    const stack = await bare({
      'aws:ecr/getImage:getImage': (inputs) => {
        asked.push(inputs);
        return { imageDigest: `sha256:${'ef'.repeat(32)}` };
      },
    });
    expect(asked).toEqual([
      expect.objectContaining({
        registryId: '123456789012',
        repositoryName: 'glyco-dev-app',
        mostRecent: true,
      }),
    ]);
    expect(container(stack).image).toBe(`${REPOSITORY}@sha256:${'ef'.repeat(32)}`);
    expect(stack.outputs.image).toBe(`${REPOSITORY}@sha256:${'ef'.repeat(32)}`);
  });

  it('deploys the image tagged imageTag when it is set', async () => {
    const asked: Record<string, unknown>[] = [];
    await bare(
      {
        'aws:ecr/getImage:getImage': (inputs) => {
          asked.push(inputs);
          return { imageDigest: `sha256:${'ef'.repeat(32)}` };
        },
      },
      { imageTag: '3f2a9c1' },
    );
    expect(asked).toEqual([expect.objectContaining({ imageTag: '3f2a9c1' })]);
    expect(asked[0]).not.toHaveProperty('mostRecent');
  });

  it('says how to get an image when the repository holds none', async () => {
    const empty = {
      'aws:ecr/getImage:getImage': () => {
        throw new Error('ImageNotFoundException: the image does not exist');
      },
    };
    await expect(bare(empty)).rejects.toThrow(
      /Config "image" is not set and .*glyco-dev-app holds no image .*push one/,
    );
  });
});

describe('ecs previewed by a pull request, with the read-only preview role', () => {
  it('makes only lookups ReadOnlyAccess allows and the role does not forbid: the image, the model, the hosted zone', async () => {
    const stack = await runStack({
      project: 'glyco-ecs',
      stack: 'prod',
      stackDir,
      program: ecs,
      configOverrides: DOMAIN,
    });
    expect(previewAccess(stack)).toEqual({
      actions: [...TARGET_LOOKUPS, ...DOMAIN_LOOKUPS],
      refusals: [],
    });
  });
});

describe('ecs under plain Node, as the Pulumi CLI loads it (Pulumi.yaml: typescript false)', () => {
  it.each(ENVIRONMENTS)(
    'runs index.ts in %s',
    async (env) => {
      const load = await runProgramWithNode({
        stackDir,
        project: 'glyco-ecs',
        stack: env,
        configOverrides: env === 'prod' ? DOMAIN : {},
      });
      expect(load.stderr).not.toMatch(/Error/);
      expect(load.status).toBe(0);
      expect(load.run?.resourceCount).toBeGreaterThan(20);
      expect(load.run?.outputs.url).toMatch(env === 'prod' ? /^https:\/\/api\.example\.com$/ : /^http:\/\//);
    },
    70_000,
  );
});

describe('ecs config', () => {
  it('refuses, before creating anything, a model the registry does not hold (a new environment), saying how to put it there', async () => {
    // The tasks would exit at startup and the deployment circuit breaker would roll the service back.
    const attempt = runStack({
      project: 'glyco-ecs',
      stack: 'dev',
      stackDir,
      program: ecs,
      configOverrides: { org: 'acme', image: TEST_IMAGE },
      invokes: registryHolding([]),
    });
    await expect(attempt).rejects.toThrow(
      /Config "model" \(pima-diabetes@production\): the registry s3:\/\/glyco-dev-models-123456789012\/models has no alias "production".*pnpm glyco promote/s,
    );
  });

  it('serves plain HTTP on the load balancer name in dev when no domain is configured, and says so', async () => {
    const stack = await run('dev');
    const listeners = resourcesOfType(stack, 'aws:lb/listener:Listener');
    expect(listeners.map((l) => [l.props.port, l.props.protocol])).toEqual([[80, 'HTTP']]);
    expect(String(stack.outputs.url)).toMatch(/^http:\/\/glyco-dev-alb.*elb\.amazonaws\.com$/);
    expect(String(stack.outputs.tls)).toMatch(/plain HTTP.*domainName/);
  });

  it('refuses to deploy prod without a domain, naming the key, before making anything', async () => {
    await expect(run('prod')).rejects.toThrow(/Config "domainName" is required: .*prod/);
  });

  it('refuses a certificate without a domain, since no certificate covers the load balancer name', async () => {
    await expect(run('dev', { certificateArn: CERTIFICATE })).rejects.toThrow(
      /"certificateArn" needs "domainName"/,
    );
  });

  it('refuses a domain outside its hosted zone, and a domain without a zone', async () => {
    await expect(
      run('dev', { domainName: 'api.example.org', hostedZoneName: 'example.com' }),
    ).rejects.toThrow(/must be inside "hostedZoneName"/);
    await expect(run('dev', { domainName: 'api.example.com' })).rejects.toThrow(
      /exactly one of "hostedZoneId"/,
    );
    // The zone a hostedZoneId names (example.com in the mocks) is looked up before any record is written.
    await expect(
      run('dev', { domainName: 'api.example.org', hostedZoneId: 'Z0123456789ABCDEFGHIJ' }),
    ).rejects.toThrow(/api\.example\.org\) is not inside hosted zone example\.com/);
    const privateZone = {
      'aws:route53/getZone:getZone': () => ({ zoneId: 'Z0PRIVATE', name: 'example.com', privateZone: true }),
    };
    await expect(
      runStack({
        project: 'glyco-ecs',
        stack: 'dev',
        stackDir,
        program: ecs,
        configOverrides: { org: 'acme', image: TEST_IMAGE, ...DOMAIN },
        invokes: privateZone,
      }),
    ).rejects.toThrow(/"hostedZoneId" \(Z0123456789ABCDEFGHIJ\) names a private hosted zone/);
  });

  it('refuses a memory size Fargate does not offer for the CPU', async () => {
    await expect(run('dev', { cpu: 512, memoryMb: 8192 })).rejects.toThrow(/memoryMb.*1024 to 4096/);
  });

  it('refuses a command that is not a list of strings', async () => {
    await expect(run('dev', { command: 'node dist/server.mjs' })).rejects.toThrow(/command/);
  });
});
