import { describe, expect, it } from 'vitest';
import { decide, decideWithin } from '../src/iam/evaluation.ts';
import {
  actionMatches,
  appAccessPolicy,
  clusterSecretsKeyPolicy,
  eksClusterTrustPolicy,
  eksFargatePodExecutionTrustPolicy,
  evaluate,
  lambdaNetworkInterfacePolicy,
  loadBalancerControllerPolicy,
  logWritePolicy,
  type PolicyDocument,
  RULES,
  serviceAccountTrustPolicy,
  statementsOf,
  workloadBoundaryPolicy,
} from '../src/index.ts';
import { boundaryGaps, fixtureBoundary, type StackRun } from '../src/testing/index.ts';

const ACCOUNT = '123456789012';
const boundary = fixtureBoundary('prod');
const BOUNDARY_ARN = `arn:aws:iam::${ACCOUNT}:policy/glyco-prod-workload-boundary`;
const statement = (document: PolicyDocument, sid: string) => document.Statement.find((s) => s.Sid === sid);

const asRolePolicy = (document: object, type = 'aws:iam/rolePolicy:RolePolicy') => ({
  type,
  name: 'doc',
  props: {
    policy: JSON.stringify(document),
    // A managed policy takes tags (an inline one does not), and carries them as every resource does.
    ...(type === 'aws:iam/policy:Policy' && {
      tags: { project: 'glyco', environment: 'prod', 'managed-by': 'pulumi' },
    }),
  },
});

describe('IAM documents', () => {
  it('let the app read model objects only under models/ and only its database secret', () => {
    const statements = appAccessPolicy({
      modelBucketArn: 'arn:aws:s3:::models',
      databaseSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db',
      apiKeysSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:keys',
      databaseKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/k',
      region: 'eu-west-1',
    }).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 's3:ListBucket',
        Condition: { StringLike: { 's3:prefix': ['models/*'] } },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::models/models/*' }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 'kms:Decrypt',
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      }),
    );
  });

  it('let the app read the API keys secret, and the workload boundary allow it in its own environment only', () => {
    const keysSecret = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:glyco-prod-api-keys-AbCdEf`;
    const appPolicy = appAccessPolicy({
      modelBucketArn: 'arn:aws:s3:::models',
      databaseSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db',
      apiKeysSecretArn: keysSecret,
      databaseKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/k',
      region: 'eu-west-1',
    });
    const read = (resource: string) =>
      decideWithin([appPolicy], boundary.policy, { action: 'secretsmanager:GetSecretValue', resource });
    expect(read(keysSecret)).toBe('allowed');
    expect(read(keysSecret.replace('glyco-prod-', 'glyco-dev-'))).not.toBe('allowed');
  });

  it('trust one Kubernetes service account', () => {
    const irsa = serviceAccountTrustPolicy({
      providerArn: 'arn:p',
      issuerUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC',
      namespace: 'glyco',
      serviceAccount: 'glyco-api',
    });
    expect(irsa.Statement[0]?.Condition?.StringEquals).toEqual({
      'oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud': 'sts.amazonaws.com',
      'oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub': 'system:serviceaccount:glyco:glyco-api',
    });
  });

  it.each([
    // The platform makes the boundary a managed policy (stacks/platform/src/pipeline-access.ts).
    ['the workload boundary', boundary.policy, 'aws:iam/policy:Policy'],
    ['the load balancer controller', loadBalancerControllerPolicy(), undefined],
    ['Lambda network interfaces', lambdaNetworkInterfacePolicy(), undefined],
    ['log writing', logWritePolicy('arn:aws:logs:eu-west-1:123456789012:log-group:x'), undefined],
  ])('keep %s within the IAM policy rules', (_, document, type) => {
    expect(evaluate([asRolePolicy(document, type)], RULES)).toEqual([]);
  });

  it('read statements from JSON text or objects, and nothing from garbage', () => {
    const document = logWritePolicy('arn:x');
    expect(statementsOf(JSON.stringify(document))).toEqual(document.Statement);
    expect(statementsOf(document)).toEqual(document.Statement);
    expect(statementsOf('not json')).toEqual([]);
  });
});

describe('the workload boundary', () => {
  const allowed = boundary.policy.Statement.flatMap((s) => [s.Action].flat());

  it("grants no IAM change, STS or organization action, apart from the load balancers' service-linked role and handing the environment's roles to ECS tasks", () => {
    const privileged = allowed.filter(
      (action) => /^(iam|sts|organizations|account):/i.test(action) && !/^iam:(Get|List)/.test(action),
    );
    expect(privileged).toEqual(['iam:PassRole', 'iam:CreateServiceLinkedRole']);
    // The jobs stack's scheduler and workflow roles start tasks with the job's roles, and pass them nowhere else.
    expect(statement(boundary.policy, 'PassEnvironmentRolesToEcsTasks')).toMatchObject({
      Resource: `arn:aws:iam::${ACCOUNT}:role/glyco-prod-*`,
      Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    });
    expect(statement(boundary.policy, 'CreateElbServiceLinkedRole')?.Condition).toEqual({
      StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' },
    });
  });

  it("reads only this environment's model bucket and decrypts only with its own key", () => {
    const dev = workloadBoundaryPolicy({
      accountId: ACCOUNT,
      region: 'eu-west-1',
      env: 'dev',
      modelBucketArn: 'arn:aws:s3:::glyco-dev-models-123456789012',
      dataKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/dev',
    });
    expect(statement(dev, 'ReadModels')?.Resource).toEqual([
      'arn:aws:s3:::glyco-dev-models-123456789012',
      'arn:aws:s3:::glyco-dev-models-123456789012/models/*',
    ]);
    expect(statement(dev, 'DecryptDatabaseSecret')?.Resource).toBe(
      'arn:aws:kms:eu-west-1:123456789012:key/dev',
    );
    expect(statement(dev, 'WriteEnvironmentLogs')?.Resource).toBe(
      'arn:aws:logs:eu-west-1:123456789012:log-group:/*glyco-dev-*',
    );
  });

  it("lets the EKS cluster role use its environment's secrets key, and no other environment's", () => {
    const clusterRolePolicy = clusterSecretsKeyPolicy('arn:aws:kms:eu-west-1:123456789012:key/eks');
    const use = (action: string, environment: string) =>
      decideWithin([clusterRolePolicy], boundary.policy, {
        action,
        resource: 'arn:aws:kms:eu-west-1:123456789012:key/eks',
        context: { 'aws:ResourceTag/project': 'glyco', 'aws:ResourceTag/environment': environment },
      });
    for (const action of ['kms:Encrypt', 'kms:Decrypt', 'kms:ListGrants', 'kms:DescribeKey']) {
      expect(use(action, 'prod'), action).toBe('allowed');
    }
    expect(use('kms:Encrypt', 'dev')).toBe('implicitly-denied');
  });

  it('fits the 6,144 characters AWS allows a managed policy', () => {
    expect(JSON.stringify(boundary.policy).length).toBeLessThanOrEqual(6144);
  });

  it('covers every action of the documents the roles carry', () => {
    const documents = [
      appAccessPolicy({
        modelBucketArn: 'arn:aws:s3:::m',
        databaseSecretArn: 'arn:s',
        apiKeysSecretArn: 'arn:a',
        databaseKmsKeyArn: 'arn:k',
        region: 'eu-west-1',
      }),
      loadBalancerControllerPolicy(),
      lambdaNetworkInterfacePolicy(),
      logWritePolicy('arn:l'),
    ];
    const missing = documents
      .flatMap((document) => document.Statement.flatMap((s) => [s.Action].flat()))
      .filter((action) => !allowed.some((pattern) => actionMatches(pattern, action)));
    expect(missing).toEqual([]);
  });
});

describe('boundaryGaps', () => {
  const role = (name: string, permissionsBoundary?: string) => ({
    type: 'aws:iam/role:Role',
    name,
    props: { permissionsBoundary },
  });
  const rolePolicy = (Action: string) => ({
    type: 'aws:iam/rolePolicy:RolePolicy',
    name: 'glyco-prod-api-logs',
    props: { policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action, Resource: '*' }] }) },
  });
  const run = (...resources: StackRun['resources']) => ({ resources });

  it('accepts bounded roles whose policies stay inside the boundary, and the deploy role', () => {
    expect(
      boundaryGaps(
        run(
          role('glyco-prod-api', BOUNDARY_ARN),
          role('glyco-prod-github-deploy'),
          rolePolicy('ec2:DescribeVpcs'),
        ),
        'prod',
        boundary,
      ),
    ).toEqual([]);
  });

  it('names a role without the boundary and an action the boundary would deny', () => {
    expect(
      boundaryGaps(run(role('glyco-prod-api'), rolePolicy('dynamodb:GetItem')), 'prod', boundary),
    ).toEqual([
      `role glyco-prod-api does not carry ${BOUNDARY_ARN}`,
      'glyco-prod-api-logs allows "dynamodb:GetItem", which the boundary does not',
    ]);
  });
});

describe('the EKS service trusts', () => {
  const cluster = { accountId: ACCOUNT, region: 'eu-west-1', clusterName: 'glyco-prod-eks' };
  const assume = (document: PolicyDocument, sourceArn: string, sourceAccount = ACCOUNT) =>
    decide([document], {
      action: 'sts:AssumeRole',
      resource: '*',
      context: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': sourceAccount },
    });

  it('let EKS assume the cluster role for this cluster of this account only', () => {
    const trust = eksClusterTrustPolicy(cluster);
    expect(trust.Statement[0]?.Principal).toEqual({ Service: 'eks.amazonaws.com' });
    expect(assume(trust, `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/glyco-prod-eks`)).toBe('allowed');
    expect(assume(trust, `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/someone-elses`)).toBe('implicitly-denied');
    expect(assume(trust, `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/glyco-prod-eks`, '999999999999')).toBe(
      'implicitly-denied',
    );
  });

  it("let EKS Fargate assume the pod execution role for this cluster's profiles only", () => {
    const trust = eksFargatePodExecutionTrustPolicy(cluster);
    expect(trust.Statement[0]?.Principal).toEqual({ Service: 'eks-fargate-pods.amazonaws.com' });
    const profile = (clusterName: string, account = ACCOUNT) =>
      `arn:aws:eks:eu-west-1:${account}:fargateprofile/${clusterName}/glyco-prod-fargate-app/0123`;
    expect(assume(trust, profile('glyco-prod-eks'))).toBe('allowed');
    expect(assume(trust, profile('glyco-dev-eks'))).toBe('implicitly-denied');
    expect(assume(trust, profile('glyco-prod-eks', '999999999999'))).toBe('implicitly-denied');
  });
});
