import { at, ENVIRONMENTS, evaluate, PLATFORM_OUTPUT_KEYS, RULES, statementsOf } from '@glyco/infra';
import { boundaryGaps, runStack, type StackRun, single } from '@glyco/infra/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { platform } from '../src/platform.ts';

const stackDir = new URL('..', import.meta.url).pathname;
const run = (stack: (typeof ENVIRONMENTS)[number], configOverrides: Record<string, unknown> = {}) =>
  runStack({
    project: 'glyco-platform',
    stack,
    stackDir,
    program: platform,
    configOverrides: { githubRepository: 'acme/glyco', ...configOverrides },
  });

describe.each(ENVIRONMENTS)('platform stack, %s', (env) => {
  let stack: StackRun;
  // Each test reads the same run, and any one of them can run alone (`vitest -t`).
  beforeAll(async () => {
    stack = await run(env);
  });

  it('registers its resources under its committed config', () => {
    expect(stack.resources.length).toBeGreaterThan(20);
  });

  it('passes every policy rule', () => {
    expect(evaluate(stack.resources, RULES)).toEqual([]);
  });

  it('creates the workload boundary, which every role but the deploy role carries and stays within', () => {
    const policy = single(stack, 'aws:iam/policy:Policy', 'workload-boundary').props;
    expect(policy.name).toBe(`glyco-${env}-workload-boundary`);
    const arn = `arn:aws:iam::123456789012:policy/glyco-${env}-workload-boundary`;
    expect(stack.outputs.workloadBoundaryArn).toBe(arn);
    expect(boundaryGaps(stack, env, { arn, policy: JSON.parse(String(policy.policy)) })).toEqual([]);
  });

  it('exports every output the target stacks read, and no password', () => {
    for (const key of PLATFORM_OUTPUT_KEYS) expect(stack.outputs[key], key).toBeDefined();
    expect(JSON.stringify(stack.outputs)).not.toMatch(/password/i);
  });

  it('spreads the VPC over two or more zones with public and private subnets tagged for load balancers', () => {
    const vpc = single(stack, 'awsx:ec2:Vpc').props;
    expect(vpc.numberOfAvailabilityZones).toBeGreaterThanOrEqual(2);
    const specs = vpc.subnetSpecs as { type: string; tags: Record<string, string> }[];
    expect(specs.find((s) => s.type === 'Public')?.tags['kubernetes.io/role/elb']).toBe('1');
    expect(specs.find((s) => s.type === 'Private')?.tags['kubernetes.io/role/internal-elb']).toBe('1');
    expect(at(vpc, 'natGateways', 'strategy')).toBe(env === 'prod' ? 'OnePerAz' : 'Single');
    expect(vpc.vpcEndpointSpecs).toEqual([
      expect.objectContaining({ serviceName: 'com.amazonaws.eu-west-1.s3', vpcEndpointType: 'Gateway' }),
    ]);
  });

  it('creates no interface endpoint by default: the NAT gateways carry AWS API traffic', () => {
    const endpoints = stack.resources.filter(
      (r) => r.type === 'aws:ec2/vpcEndpoint:VpcEndpoint' && r.props.vpcEndpointType === 'Interface',
    );
    expect(endpoints).toEqual([]);
  });

  it('keeps the database private, encrypted, TLS-only, with its password in Secrets Manager', () => {
    const db = single(stack, 'aws:rds/instance:Instance').props;
    expect(db).toMatchObject({
      identifier: `glyco-${env}-db`,
      engine: 'postgres',
      storageEncrypted: true,
      publiclyAccessible: false,
      manageMasterUserPassword: true,
      multiAz: env === 'prod',
      deletionProtection: env === 'prod',
    });
    expect(db.password).toBeUndefined();
    expect(db.backupRetentionPeriod).toBeGreaterThanOrEqual(env === 'prod' ? 7 : 1);
    const parameters = single(stack, 'aws:rds/parameterGroup:ParameterGroup').props.parameters;
    expect(parameters).toContainEqual({ name: 'rds.force_ssl', value: '1' });
    expect(single(stack, 'aws:rds/proxy:Proxy').props).toMatchObject({
      requireTls: true,
      engineFamily: 'POSTGRESQL',
    });
  });

  it('keeps the API keys in a secret encrypted with the data key, which holds no key until one is added', () => {
    const secret = single(stack, 'aws:secretsmanager/secret:Secret').props;
    expect(secret).toMatchObject({ name: `glyco-${env}-api-keys` });
    expect(secret.kmsKeyId).toBe(stack.outputs.databaseKmsKeyArn);
    const version = single(stack, 'aws:secretsmanager/secretVersion:SecretVersion');
    // Pulumi marks the value secret: the mocks see it wrapped, `{<secret sig>, value}`.
    const { value } = version.props.secretString as { value: string };
    expect(JSON.parse(value)).toEqual({ keys: [] });
    expect(version.ignoreChanges).toEqual(['secretString']);
    expect(stack.outputs.apiKeysSecretArn).toBeDefined();
  });

  it('exports the database the instance creates and its port, which the targets pass to the app', () => {
    const db = single(stack, 'aws:rds/instance:Instance').props;
    expect(db).toMatchObject({ dbName: 'glyco', port: 5432 });
    expect([stack.outputs.databaseName, stack.outputs.databasePort]).toEqual([db.dbName, db.port]);
  });

  it('admits PostgreSQL only from the workload group and the proxy', () => {
    const dbGroupIngress = stack.resources.filter(
      (r) =>
        r.type === 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule' &&
        r.name.startsWith(`glyco-${env}-db-`),
    );
    expect(dbGroupIngress.length).toBe(3);
    for (const rule of dbGroupIngress) {
      expect(rule.props).toMatchObject({ fromPort: 5432, toPort: 5432, ipProtocol: 'tcp' });
      expect(rule.props.cidrIpv4).toBeUndefined();
      expect(rule.props.referencedSecurityGroupId).toBeDefined();
    }
  });

  it('protects what holds data in prod, and nothing in dev', () => {
    const stateful = [
      'aws:rds/instance:Instance',
      'aws:s3/bucket:Bucket',
      'aws:kms/key:Key',
      'aws:ecr/repository:Repository',
    ].flatMap((type) => stack.resources.filter((r) => r.type === type));
    expect(stateful.length).toBeGreaterThanOrEqual(4);
    expect(stateful.map((r) => [r.name, r.protect])).toEqual(stateful.map((r) => [r.name, env === 'prod']));
  });

  it('lets the RDS Proxy reach Secrets Manager for the database secret (HTTPS out)', () => {
    // A new security group loses AWS's default allow-all egress: the provider removes it (@pulumi/aws
    // ec2/securityGroup, "NOTE on Egress rules"), so every way out must be a rule.
    const proxyEgress = stack.resources.filter(
      (r) =>
        r.type === 'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule' &&
        r.name.startsWith(`glyco-${env}-db-proxy-`),
    );
    expect(proxyEgress.map((r) => [r.props.ipProtocol, r.props.fromPort, r.props.toPort])).toEqual(
      expect.arrayContaining([['tcp', 443, 443]]),
    );
  });

  it('names what a replacement would otherwise collide with by prefix, or replaces it delete-first', () => {
    // Changing a replace-forcing input (a group's description, a parameter group's family, the proxy's
    // subnets) creates the new resource before deleting the old: a fixed name makes that fail.
    for (const group of stack.resources.filter((r) => r.type === 'aws:ec2/securityGroup:SecurityGroup')) {
      expect([group.name, group.props.name, group.props.namePrefix]).toEqual([
        group.name,
        undefined,
        `${group.name}-`,
      ]);
    }
    const parameters = single(stack, 'aws:rds/parameterGroup:ParameterGroup').props;
    expect([parameters.name, parameters.namePrefix]).toEqual([undefined, `glyco-${env}-postgres17-`]);
    expect(single(stack, 'aws:rds/proxy:Proxy').deleteBeforeReplace).toBe(true);
  });

  it('makes the model registry private, versioned and TLS-only', () => {
    expect(single(stack, 'aws:s3/bucket:Bucket', '-models').props.bucket).toBe(
      `glyco-${env}-models-123456789012`,
    );
    expect(single(stack, 'aws:s3/bucketVersioning:BucketVersioning').props.versioningConfiguration).toEqual({
      status: 'Enabled',
    });
    const lifecycle = single(
      stack,
      'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration',
      '-models',
    ).props;
    expect(at(lifecycle, 'rules', 0, 'noncurrentVersionExpiration', 'noncurrentDays')).toBe(
      env === 'prod' ? 365 : 30,
    );
  });

  it('keeps load balancer access logs and flow logs in an SSE-S3 bucket that expires them, and exports its name', () => {
    const bucketName = `glyco-${env}-access-logs-123456789012`;
    expect(stack.outputs.accessLogsBucketName).toBe(bucketName);
    const encryption = single(
      stack,
      'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
      bucketName,
    ).props;
    // ALB access logs support no other server-side encryption.
    expect(at(encryption, 'rules', 0, 'applyServerSideEncryptionByDefault', 'sseAlgorithm')).toBe('AES256');
    const lifecycle = single(
      stack,
      'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration',
      bucketName,
    ).props;
    expect(at(lifecycle, 'rules', 0, 'expiration', 'days')).toBe(env === 'prod' ? 365 : 30);
  });

  it('sends all VPC traffic to flow logs in prod only', () => {
    const flowLogs = stack.resources.filter((r) => r.type === 'aws:ec2/flowLog:FlowLog');
    if (env === 'dev') {
      expect(flowLogs).toEqual([]);
      return;
    }
    expect(flowLogs.map((r) => r.props)).toEqual([
      expect.objectContaining({
        trafficType: 'ALL',
        logDestinationType: 's3',
        logDestination: `arn:aws:s3:::glyco-prod-access-logs-123456789012/vpc-flow-logs/`,
      }),
    ]);
  });

  it('scans images on push, keeps tags immutable and expires old images', () => {
    expect(single(stack, 'aws:ecr/repository:Repository').props).toMatchObject({
      name: `glyco-${env}-app`,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
    });
    const rules = JSON.parse(
      String(single(stack, 'aws:ecr/lifecyclePolicy:LifecyclePolicy').props.policy),
    ).rules;
    expect(rules.map((r: { selection: { tagStatus: string } }) => r.selection.tagStatus)).toEqual([
      'untagged',
      'any',
    ]);
  });

  it('lets only this repository, in this GitHub environment, assume the deploy role', () => {
    const role = single(stack, 'aws:iam/role:Role', 'github-deploy').props;
    const [trust] = statementsOf(role.assumeRolePolicy);
    expect(trust?.Condition?.StringEquals).toEqual({
      'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
      'token.actions.githubusercontent.com:sub': `repo:acme/glyco:environment:${env}`,
    });
    const iam = statementsOf(
      single(stack, 'aws:iam/rolePolicy:RolePolicy', 'github-deploy-iam').props.policy,
    );
    expect(iam[0]).toMatchObject({
      Action: expect.arrayContaining(['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy']),
      Resource: `arn:aws:iam::123456789012:role/glyco-${env}-*`,
      Condition: {
        StringEquals: {
          'iam:PermissionsBoundary': `arn:aws:iam::123456789012:policy/glyco-${env}-workload-boundary`,
        },
      },
    });
  });
});

describe.each(ENVIRONMENTS)('the pull-request preview role, %s', (env) => {
  let stack: StackRun;
  beforeAll(async () => {
    stack = await run(env);
  });

  it("is assumed only by this repository's pull-request jobs, and exported", () => {
    const role = single(stack, 'aws:iam/role:Role', 'github-preview').props;
    expect(role.name).toBe(`glyco-${env}-github-preview`);
    const [trust] = statementsOf(role.assumeRolePolicy);
    expect(trust?.Condition?.StringEquals).toEqual({
      'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
      'token.actions.githubusercontent.com:sub': 'repo:acme/glyco:pull_request',
    });
    expect(stack.outputs.previewRoleArn).toBe(`arn:aws:iam::123456789012:role/glyco-${env}-github-preview`);
  });

  it('reads the account through ReadOnlyAccess and nothing else, and never reads data', () => {
    const attached = stack.resources
      .filter((r) => r.type === 'aws:iam/rolePolicyAttachment:RolePolicyAttachment')
      .filter((r) => r.name.startsWith(`glyco-${env}-github-preview`))
      .map((r) => r.props.policyArn);
    expect(attached).toEqual(['arn:aws:iam::aws:policy/ReadOnlyAccess']);
    const inline = stack.resources.filter(
      (r) => r.type === 'aws:iam/rolePolicy:RolePolicy' && r.name.startsWith(`glyco-${env}-github-preview`),
    );
    const statements = inline.flatMap((policy) => statementsOf(policy.props.policy));
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.every((statement) => statement.Effect === 'Deny')).toBe(true);
  });
});

describe('platform config', () => {
  it('refuses to share an AWS account with another environment unless told it is accepted', async () => {
    await expect(run('prod', { createGithubOidcProvider: false })).rejects.toThrow(
      /own AWS account.*"sharedAccountAcknowledged" true/,
    );
  });

  it('in an acknowledged shared account, looks up its GitHub OIDC provider instead of creating a second one', async () => {
    const stack = await run('prod', { createGithubOidcProvider: false, sharedAccountAcknowledged: true });
    expect(
      stack.resources.some((r) => r.type === 'aws:iam/openIdConnectProvider:OpenIdConnectProvider'),
    ).toBe(false);
  });

  it('refuses a repository that is not owner/repo', async () => {
    await expect(run('dev', { githubRepository: 'glyco' })).rejects.toThrow(
      /githubRepository.*<owner>\/<repo>/,
    );
  });

  it('creates ECR, Secrets Manager and Logs interface endpoints with private DNS when asked', async () => {
    const stack = await run('prod', { interfaceEndpoints: true });
    const endpoints = stack.resources.filter(
      (r) => r.type === 'aws:ec2/vpcEndpoint:VpcEndpoint' && r.props.vpcEndpointType === 'Interface',
    );
    const services = endpoints.map((e) => String(e.props.serviceName).split('.').slice(3).join('.'));
    expect(services.sort()).toEqual(['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager']);
    for (const endpoint of endpoints) expect(endpoint.props.privateDnsEnabled).toBe(true);
    expect(evaluate(stack.resources, RULES)).toEqual([]);
  });

  it('refuses a single-zone VPC', async () => {
    await expect(run('dev', { availabilityZones: 1 })).rejects.toThrow(/availabilityZones/);
  });
});
