import { describe, expect, it } from 'vitest';
import { evaluate, type PolicyResource, RULES } from '../src/index.ts';

const tags = { project: 'glyco', environment: 'prod', 'managed-by': 'pulumi' };
const resource = (type: string, props: Record<string, unknown>): PolicyResource => ({
  type,
  name: 'r',
  props,
});
const policy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const allow = (Action: string | string[], Resource: string | string[] = 'arn:aws:s3:::bucket/models/*') => ({
  Effect: 'Allow',
  Action,
  Resource,
});
const githubTrust = (condition: object) =>
  policy({
    Effect: 'Allow',
    Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: condition,
  });
const rds = (overrides: object) =>
  resource('aws:rds/instance:Instance', {
    storageEncrypted: true,
    publiclyAccessible: false,
    manageMasterUserPassword: true,
    deletionProtection: true,
    multiAz: true,
    backupRetentionPeriod: 14,
    tags,
    ...overrides,
  });
const webAcl = (counted: string[]) =>
  resource('aws:wafv2/webAcl:WebAcl', {
    rules: [
      {
        name: 'rate',
        action: { block: {} },
        statement: { rateBasedStatement: { limit: 2000, aggregateKeyType: 'IP' } },
      },
      {
        name: 'common',
        overrideAction: { none: {} },
        statement: {
          managedRuleGroupStatement: {
            vendorName: 'AWS',
            name: 'AWSManagedRulesCommonRuleSet',
            ruleActionOverrides: counted.map((name) => ({ name, actionToUse: { count: {} } })),
          },
        },
      },
    ],
  });
const ingress = (annotations: object) =>
  resource('kubernetes:networking.k8s.io/v1:Ingress', {
    metadata: {
      annotations: {
        'alb.ingress.kubernetes.io/scheme': 'internet-facing',
        'alb.ingress.kubernetes.io/tags': 'project=glyco,environment=prod,managed-by=pulumi',
        ...annotations,
      },
    },
  });
const container = (overrides: object) =>
  resource('aws:ecs/taskDefinition:TaskDefinition', {
    containerDefinitions: JSON.stringify([
      { name: 'api', readonlyRootFilesystem: true, user: '10001:10001', ...overrides },
    ]),
  });
const schedule = (networkConfiguration: object | undefined) =>
  resource('aws:scheduler/schedule:Schedule', {
    flexibleTimeWindow: { mode: 'OFF' },
    scheduleExpression: 'cron(30 5 * * ? *)',
    target: {
      arn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/glyco-prod-jobs',
      roleArn: 'arn:aws:iam::123456789012:role/glyco-prod-job-scheduler',
      ecsParameters: {
        taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/glyco-prod-job:3',
        networkConfiguration,
      },
    },
  });
const JOB_FAMILY = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/glyco-prod-job';
const JOBS_CLUSTER = 'arn:aws:ecs:eu-west-1:123456789012:cluster/glyco-prod-jobs';
const runTask = (family: string, condition: object | undefined, passRole: object) =>
  resource('aws:iam/rolePolicy:RolePolicy', {
    policy: policy(
      {
        Effect: 'Allow',
        Action: 'ecs:RunTask',
        Resource: family,
        ...(condition && { Condition: condition }),
      },
      { Effect: 'Allow', Action: 'iam:PassRole', ...passRole },
    ),
  });
const PASS_JOB_ROLES = {
  Resource: [
    'arn:aws:iam::123456789012:role/glyco-prod-job-execution',
    'arn:aws:iam::123456789012:role/glyco-prod-job-task',
  ],
  Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
};
const ON_JOBS_CLUSTER = { ArnEquals: { 'ecs:cluster': JOBS_CLUSTER } };
const deployment = (securityContext: object) =>
  resource('kubernetes:apps/v1:Deployment', {
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'api',
              resources: { limits: { memory: '1Gi' } },
              securityContext: {
                runAsNonRoot: true,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                ...securityContext,
              },
            },
          ],
        },
      },
    },
  });

/** For every rule: a resource it must accept and one it must reject. */
const CASES: Record<string, { good: PolicyResource; bad: PolicyResource }> = {
  'required-tags': {
    good: resource('aws:s3/bucket:Bucket', { tags }),
    bad: resource('aws:s3/bucket:Bucket', { tags: { project: 'glyco' } }),
  },
  's3-block-public-access': {
    good: resource('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock', {
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }),
    bad: resource('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock', {
      blockPublicAcls: true,
      blockPublicPolicy: false,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }),
  },
  's3-no-public-acl': {
    good: resource('aws:s3/bucketAcl:BucketAcl', { acl: 'private' }),
    bad: resource('aws:s3/bucketAcl:BucketAcl', { acl: 'public-read' }),
  },
  's3-tls-only': {
    good: resource('aws:s3/bucketPolicy:BucketPolicy', {
      policy: policy({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: '*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    }),
    bad: resource('aws:s3/bucketPolicy:BucketPolicy', { policy: policy(allow('s3:GetObject')) }),
  },
  's3-encryption-at-rest': {
    good: resource('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration', {
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' } }],
    }),
    bad: resource('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration', {
      rules: [],
    }),
  },
  'rds-encrypted-and-private': {
    good: rds({}),
    bad: rds({ publiclyAccessible: true }),
  },
  'rds-managed-master-password': {
    good: rds({}),
    bad: rds({ manageMasterUserPassword: false, password: 'hunter2' }),
  },
  'rds-prod-resilience': {
    good: rds({}),
    bad: rds({ multiAz: false }),
  },
  'rds-force-ssl': {
    good: resource('aws:rds/parameterGroup:ParameterGroup', {
      family: 'postgres17',
      parameters: [{ name: 'rds.force_ssl', value: '1' }],
    }),
    bad: resource('aws:rds/proxy:Proxy', { requireTls: false }),
  },
  'kms-key-rotation': {
    good: resource('aws:kms/key:Key', { enableKeyRotation: true }),
    bad: resource('aws:kms/key:Key', {}),
  },
  'ecr-scan-and-immutable': {
    good: resource('aws:ecr/repository:Repository', {
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
    }),
    bad: resource('aws:ecr/repository:Repository', {
      imageTagMutability: 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
    }),
  },
  'prod-stateful-protected': {
    good: { ...resource('aws:s3/bucket:Bucket', { tags }), protect: true },
    bad: { ...resource('aws:s3/bucket:Bucket', { tags }), protect: false },
  },
  'security-group-no-open-ingress': {
    good: resource('aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule', {
      cidrIpv4: '0.0.0.0/0',
      fromPort: 443,
      toPort: 443,
    }),
    bad: resource('aws:ec2/securityGroup:SecurityGroup', {
      ingress: [{ fromPort: 5432, toPort: 5432, cidrBlocks: ['0.0.0.0/0'] }],
    }),
  },
  'ecs-no-public-ip': {
    good: resource('aws:ecs/service:Service', { networkConfiguration: { assignPublicIp: false } }),
    bad: resource('aws:ecs/service:Service', { networkConfiguration: { assignPublicIp: true } }),
  },
  'load-balancer-hardened': {
    good: resource('aws:lb/listener:Listener', {
      protocol: 'HTTPS',
      sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    }),
    bad: resource('aws:lb/listener:Listener', { protocol: 'HTTPS', sslPolicy: 'ELBSecurityPolicy-2016-08' }),
  },
  'vpc-highly-available': {
    good: resource('awsx:ec2:Vpc', {
      numberOfAvailabilityZones: 3,
      natGateways: { strategy: 'OnePerAz' },
      tags,
    }),
    bad: resource('awsx:ec2:Vpc', {
      numberOfAvailabilityZones: 3,
      natGateways: { strategy: 'Single' },
      tags,
    }),
  },
  'eks-endpoint-restricted': {
    good: resource('aws:eks/cluster:Cluster', { vpcConfig: { endpointPublicAccess: false }, tags }),
    bad: resource('aws:eks/cluster:Cluster', {
      vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ['0.0.0.0/0'] },
      tags,
    }),
  },
  'iam-no-wildcard-actions': {
    good: resource('aws:iam/rolePolicy:RolePolicy', { policy: policy(allow('s3:GetObject')) }),
    bad: resource('aws:iam/rolePolicy:RolePolicy', { policy: policy(allow('s3:*')) }),
  },
  'iam-data-access-scoped': {
    good: resource('aws:iam/policy:Policy', { policy: policy(allow('ecr:GetAuthorizationToken', '*')) }),
    bad: resource('aws:iam/policy:Policy', { policy: policy(allow(['secretsmanager:GetSecretValue'], '*')) }),
  },
  'iam-no-admin-policies': {
    good: resource('aws:iam/rolePolicyAttachment:RolePolicyAttachment', {
      policyArn: 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy',
    }),
    bad: resource('aws:iam/rolePolicyAttachment:RolePolicyAttachment', {
      policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
    }),
  },
  'iam-web-identity-trust-scoped': {
    good: resource('aws:iam/role:Role', {
      assumeRolePolicy: githubTrust({
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': 'repo:acme/glyco:environment:prod',
        },
      }),
    }),
    bad: resource('aws:iam/role:Role', {
      assumeRolePolicy: githubTrust({
        StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
        StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/*' },
      }),
    }),
  },
  'iam-role-changes-bounded': {
    good: resource('aws:iam/rolePolicy:RolePolicy', {
      policy: policy({
        ...allow(['iam:CreateRole', 'iam:AttachRolePolicy'], 'arn:aws:iam::123456789012:role/glyco-prod-*'),
        Condition: {
          StringEquals: {
            'iam:PermissionsBoundary': 'arn:aws:iam::123456789012:policy/glyco-prod-workload-boundary',
          },
        },
      }),
    }),
    bad: resource('aws:iam/rolePolicy:RolePolicy', {
      policy: policy(allow(['iam:AttachRolePolicy'], 'arn:aws:iam::123456789012:role/glyco-prod-*')),
    }),
  },
  'log-retention': {
    good: resource('aws:cloudwatch/logGroup:LogGroup', { retentionInDays: 30 }),
    bad: resource('aws:cloudwatch/logGroup:LogGroup', { retentionInDays: 0 }),
  },
  'lambda-x86-in-vpc': {
    good: resource('aws:lambda/function:Function', {
      architectures: ['x86_64'],
      vpcConfig: { subnetIds: ['subnet-a'] },
      reservedConcurrentExecutions: 10,
    }),
    bad: resource('aws:lambda/function:Function', {
      architectures: ['arm64'],
      vpcConfig: { subnetIds: ['subnet-a'] },
      reservedConcurrentExecutions: 10,
    }),
  },
  'api-throttled-and-logged': {
    good: resource('aws:apigatewayv2/stage:Stage', {
      defaultRouteSettings: { throttlingRateLimit: 50, throttlingBurstLimit: 100 },
      accessLogSettings: { destinationArn: 'arn:aws:logs:eu-west-1:123456789012:log-group:api' },
    }),
    bad: resource('aws:apigatewayv2/stage:Stage', {
      accessLogSettings: { destinationArn: 'arn:aws:logs:eu-west-1:123456789012:log-group:api' },
    }),
  },
  'web-acl-guards-api': {
    good: webAcl(['SizeRestrictions_BODY']),
    // Counting the cross-site scripting rule too would let what it blocks through.
    bad: webAcl(['SizeRestrictions_BODY', 'CrossSiteScripting_BODY']),
  },
  'prod-ingress-behind-waf': {
    good: ingress({
      'alb.ingress.kubernetes.io/wafv2-acl-arn': 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/a/1',
    }),
    bad: ingress({}),
  },
  'ecs-containers-hardened': {
    good: container({}),
    bad: container({ user: 'root' }),
  },
  'eks-cluster-hardened': {
    good: resource('aws:eks/cluster:Cluster', {
      encryptionConfig: { resources: ['secrets'] },
      enabledClusterLogTypes: ['api', 'audit', 'authenticator'],
    }),
    bad: resource('aws:eks/cluster:Cluster', {
      encryptionConfig: { resources: ['secrets'] },
      enabledClusterLogTypes: ['api'],
    }),
  },
  'job-logs-encrypted': {
    good: resource('aws:cloudwatch/logGroup:LogGroup', {
      name: '/jobs/glyco-prod-jobs',
      retentionInDays: 90,
      kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/logs',
    }),
    bad: resource('aws:cloudwatch/logGroup:LogGroup', { name: '/jobs/glyco-prod-jobs', retentionInDays: 90 }),
  },
  'schedule-runs-privately': {
    good: schedule({ subnets: ['subnet-private-a'], securityGroups: ['sg-workload'], assignPublicIp: false }),
    bad: schedule({ subnets: ['subnet-public-a'], assignPublicIp: true }),
  },
  'run-task-scoped': {
    good: runTask(`${JOB_FAMILY}:*`, ON_JOBS_CLUSTER, PASS_JOB_ROLES),
    bad: runTask('*', undefined, { Resource: '*' }),
  },
  'kubernetes-pods-hardened': {
    good: deployment({}),
    bad: deployment({ readOnlyRootFilesystem: false }),
  },
};

describe('policy rules', () => {
  it('number at least 15, each with a unique name and a test case', () => {
    const names = RULES.map((rule) => rule.name);
    expect(names.length).toBeGreaterThanOrEqual(15);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(CASES).sort()).toEqual([...names].sort());
  });

  describe.each(RULES.map((rule) => [rule.name, rule] as const))('%s', (name, rule) => {
    const { good, bad } = CASES[name]!;
    it('accepts a compliant resource', () => {
      expect(evaluate([good], [rule])).toEqual([]);
    });
    it('reports a violating resource', () => {
      const violations = evaluate([bad], [rule]);
      expect(violations.length).toBeGreaterThan(0);
      expect(violations[0]).toMatchObject({ rule: name, type: bad.type });
    });
  });
});

describe('rule details', () => {
  const rule = (name: string) => RULES.find((r) => r.name === name)!;

  it('requires a key only of log groups under /jobs/ (the others are covered by log-retention alone)', () => {
    const api = resource('aws:cloudwatch/logGroup:LogGroup', {
      name: '/ecs/glyco-prod-api',
      retentionInDays: 90,
    });
    expect(evaluate([api], [rule('job-logs-encrypted')])).toEqual([]);
  });

  it('refuses a schedule that starts a task without a network configuration (ECS would need a default one)', () => {
    expect(evaluate([schedule(undefined)], [rule('schedule-runs-privately')])).toMatchObject([
      { message: expect.stringMatching(/networkConfiguration.subnets/) },
    ]);
    const notEcs = resource('aws:scheduler/schedule:Schedule', {
      flexibleTimeWindow: { mode: 'OFF' },
      target: { arn: 'arn:aws:sqs:eu-west-1:123456789012:q', roleArn: 'r' },
    });
    expect(evaluate([notEcs], [rule('schedule-runs-privately')])).toEqual([]);
  });

  it('reports each way a RunTask grant reaches too far: any family, any cluster, any role, any service', () => {
    const messages = (r: PolicyResource) => evaluate([r], [rule('run-task-scoped')]).map((v) => v.message);
    expect(
      messages(runTask(`${JOB_FAMILY.replace('glyco-prod-job', '*')}:*`, ON_JOBS_CLUSTER, PASS_JOB_ROLES)),
    ).toEqual([expect.stringMatching(/ecs:RunTask .*task definition family/)]);
    expect(messages(runTask(`${JOB_FAMILY}:*`, undefined, PASS_JOB_ROLES))).toEqual([
      expect.stringMatching(/ecs:cluster/),
    ]);
    expect(
      messages(
        runTask(`${JOB_FAMILY}:*`, ON_JOBS_CLUSTER, {
          ...PASS_JOB_ROLES,
          Resource: 'arn:aws:iam::123456789012:role/glyco-prod-*',
        }),
      ),
    ).toEqual([expect.stringMatching(/iam:PassRole .*named roles/)]);
    expect(
      messages(runTask(`${JOB_FAMILY}:*`, ON_JOBS_CLUSTER, { Resource: PASS_JOB_ROLES.Resource })),
    ).toEqual([expect.stringMatching(/iam:PassedToService/)]);
    // A document that runs no task (the deploy role's IAM policy) passes roles as its own rule says.
    const deploy = resource('aws:iam/rolePolicy:RolePolicy', {
      policy: policy({
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: 'arn:aws:iam::123456789012:role/glyco-prod-*',
      }),
    });
    expect(messages(deploy)).toEqual([]);
  });

  it('lets dev databases skip the production resilience requirements', () => {
    const dev = rds({ multiAz: false, deletionProtection: false, tags: { ...tags, environment: 'dev' } });
    expect(evaluate([dev], [rule('rds-prod-resilience')])).toEqual([]);
  });

  it('protects the keys that encrypt prod data like the data itself', () => {
    const key = resource('aws:kms/key:Key', { tags, enableKeyRotation: true });
    expect(evaluate([key], [rule('prod-stateful-protected')])).toHaveLength(1);
    expect(evaluate([{ ...key, protect: true }], [rule('prod-stateful-protected')])).toEqual([]);
  });

  it('leaves dev resources unprotected, so a dev stack can be torn down', () => {
    const devBucket = resource('aws:s3/bucket:Bucket', { tags: { ...tags, environment: 'dev' } });
    expect(evaluate([devBucket], [rule('prod-stateful-protected')])).toEqual([]);
  });

  it('names every missing tag', () => {
    const messages = evaluate([resource('aws:ecr/repository:Repository', {})], [rule('required-tags')]);
    expect(messages.map((m) => m.message)).toEqual([
      'missing tag "project"',
      'missing tag "environment"',
      'missing tag "managed-by"',
    ]);
  });

  it('does not ask for tags on types that cannot carry them', () => {
    expect(
      evaluate([resource('aws:iam/rolePolicy:RolePolicy', { policy: '{}' })], [rule('required-tags')]),
    ).toEqual([]);
  });

  it('allows HTTP from anywhere only on 80 and 443, not on a port range spanning them', () => {
    const range = resource('aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule', {
      cidrIpv6: '::/0',
      fromPort: 0,
      toPort: 65535,
    });
    expect(evaluate([range], [rule('security-group-no-open-ingress')])).toHaveLength(1);
  });

  it('reads role-changing actions through patterns, and never allows removing a boundary', () => {
    const bounded = {
      StringEquals: { 'iam:PermissionsBoundary': 'arn:aws:iam::123456789012:policy/b' },
    };
    const messages = (statement: object) =>
      evaluate(
        [resource('aws:iam/policy:Policy', { policy: policy(statement) })],
        [rule('iam-role-changes-bounded')],
      ).map((violation) => violation.message);
    expect(messages(allow('iam:put*', '*'))).toEqual([
      'allows "iam:PutRolePolicy" without a condition on iam:PermissionsBoundary',
      'allows "iam:PutRolePermissionsBoundary" without a condition on iam:PermissionsBoundary',
    ]);
    expect(messages({ ...allow('iam:DeleteRolePermissionsBoundary', '*'), Condition: bounded })).toEqual([
      'allows "iam:DeleteRolePermissionsBoundary" (removing a boundary undoes it)',
    ]);
    expect(messages({ ...allow('iam:PutRolePolicy', '*'), Effect: 'Deny' })).toEqual([]);
  });

  it('finds wildcard actions in a role inline policy too', () => {
    const role = resource('aws:iam/role:Role', {
      inlinePolicies: [{ name: 'x', policy: policy(allow('*', '*')) }],
    });
    expect(evaluate([role], [rule('iam-no-wildcard-actions')])).toHaveLength(1);
  });
});
