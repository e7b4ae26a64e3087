import { describe, expect, it } from 'vitest';
import { decide, decideWithin, type EvaluableDocument } from '../src/iam/evaluation.ts';
import {
  actionMatches,
  appAccessPolicy,
  deployIamPolicy,
  eksClusterTrustPolicy,
  eksFargatePodExecutionTrustPolicy,
  evaluate,
  githubDeployTrustPolicy,
  lambdaNetworkInterfacePolicy,
  loadBalancerControllerPolicy,
  logWritePolicy,
  type PolicyDocument,
  previewGuardPolicy,
  RULES,
  serviceAccountTrustPolicy,
  statementsOf,
  workloadBoundaryPolicy,
} from '../src/index.ts';
import { boundaryGaps, fixtureBoundary, type StackRun } from '../src/testing/index.ts';

const ACCOUNT = '123456789012';
const deployPolicy = deployIamPolicy({ accountId: ACCOUNT, env: 'prod', region: 'eu-west-1' });
const boundary = fixtureBoundary('prod');
const BOUNDARY_ARN = `arn:aws:iam::${ACCOUNT}:policy/glyco-prod-workload-boundary`;
const OWN_ROLE = `arn:aws:iam::${ACCOUNT}:role/glyco-prod-github-deploy`;
const PREVIEW_ROLE = `arn:aws:iam::${ACCOUNT}:role/glyco-prod-github-preview`;
const statement = (document: PolicyDocument, sid: string) => document.Statement.find((s) => s.Sid === sid);

const asRolePolicy = (document: object) => ({
  type: 'aws:iam/rolePolicy:RolePolicy',
  name: 'doc',
  props: { policy: JSON.stringify(document) },
});

describe('IAM documents', () => {
  it('let the app read model objects only under models/ and only its database secret', () => {
    const statements = appAccessPolicy({
      modelBucketArn: 'arn:aws:s3:::models',
      databaseSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db',
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

  it('trust one GitHub repository and environment, and one Kubernetes service account', () => {
    const github = githubDeployTrustPolicy({
      providerArn: 'arn:p',
      repository: 'acme/glyco',
      environment: 'dev',
    });
    expect(github.Statement[0]?.Condition?.StringEquals?.['token.actions.githubusercontent.com:sub']).toBe(
      'repo:acme/glyco:environment:dev',
    );
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
    ['the deploy role IAM rights', deployPolicy],
    ['the workload boundary', boundary.policy],
    ['the load balancer controller', loadBalancerControllerPolicy()],
    ['Lambda network interfaces', lambdaNetworkInterfacePolicy()],
    ['log writing', logWritePolicy('arn:aws:logs:eu-west-1:123456789012:log-group:x')],
  ])('keep %s within the IAM policy rules', (_, document) => {
    expect(evaluate([asRolePolicy(document)], RULES)).toEqual([]);
  });

  it('read statements from JSON text or objects, and nothing from garbage', () => {
    const document = logWritePolicy('arn:x');
    expect(statementsOf(JSON.stringify(document))).toEqual(document.Statement);
    expect(statementsOf(document)).toEqual(document.Statement);
    expect(statementsOf('not json')).toEqual([]);
  });
});

/**
 * What AWS-managed PowerUserAccess (v12) grants, in the terms the evaluation needs: everything but IAM,
 * Organizations and Account, plus a few of those by name. Source: AWS Managed Policy Reference, PowerUserAccess,
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/PowerUserAccess.html (read 2026-12-03).
 */
const POWER_USER_ACCESS: EvaluableDocument = {
  Statement: [
    { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
    {
      Effect: 'Allow',
      Action: ['iam:CreateServiceLinkedRole', 'iam:DeleteServiceLinkedRole', 'iam:ListRoles'],
      Resource: '*',
    },
  ],
};
const asDeployRole = (action: string, resource: string) =>
  decide([POWER_USER_ACCESS, deployPolicy], { action, resource });

describe('the deploy role', () => {
  it("may make the calls that look up the account's GitHub OIDC provider (shared-account mode)", () => {
    // terraform-provider-aws internal/service/iam/openid_connect_provider_data_source.go, which
    // aws.iam.getOpenIdConnectProvider runs: with a url, ListOpenIDConnectProviders, then
    // GetOpenIDConnectProvider on the provider whose ARN ends with that url.
    const github = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
    expect(asDeployRole('iam:ListOpenIDConnectProviders', '*')).toBe('allowed');
    expect(asDeployRole('iam:GetOpenIDConnectProvider', github)).toBe('allowed');
    expect(asDeployRole('iam:UpdateOpenIDConnectProviderThumbprint', github)).toBe('implicitly-denied');
    expect(asDeployRole('iam:DeleteOpenIDConnectProvider', github)).toBe('implicitly-denied');
  });

  it('may not change the boundary, which is why the pipeline stops before a platform change to it', () => {
    for (const action of ['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicy']) {
      expect(asDeployRole(action, BOUNDARY_ARN), action).toBe('explicitly-denied');
    }
  });

  const allowsOn = (action: string) =>
    deployPolicy.Statement.filter(
      (s) => s.Effect === 'Allow' && [s.Action].flat().some((p) => actionMatches(p, action)),
    );

  it('gives a role permissions only when the role carries the environment boundary', () => {
    for (const action of ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy']) {
      const grants = allowsOn(action);
      expect(grants.length, action).toBeGreaterThan(0);
      for (const grant of grants) {
        expect(grant.Condition?.StringEquals?.['iam:PermissionsBoundary'], action).toBe(BOUNDARY_ARN);
      }
    }
    expect(boundary.arn).toBe(BOUNDARY_ARN);
  });

  it('may not remove a boundary, change the boundary policy, its own role or the preview role', () => {
    expect(statement(deployPolicy, 'NeverRemoveABoundary')).toMatchObject({
      Effect: 'Deny',
      Action: 'iam:DeleteRolePermissionsBoundary',
      Resource: '*',
    });
    expect(statement(deployPolicy, 'NeverChangeTheBoundary')).toMatchObject({
      Effect: 'Deny',
      Resource: BOUNDARY_ARN,
    });
    const own = statement(deployPolicy, 'NeverChangeThePipelineRoles');
    expect(own).toMatchObject({ Effect: 'Deny', Resource: [OWN_ROLE, PREVIEW_ROLE] });
    expect(own?.Action).toEqual(
      expect.arrayContaining(['iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:UpdateAssumeRolePolicy']),
    );
    // The role pattern it manages does match its own name: the Deny above is what keeps it out.
    expect(allowsOn('iam:UpdateAssumeRolePolicy')[0]?.Resource).toBe(
      `arn:aws:iam::${ACCOUNT}:role/glyco-prod-*`,
    );
  });

  it('passes roles only to the services the stacks run on', () => {
    const [passRole, ...others] = allowsOn('iam:PassRole');
    expect(others).toEqual([]);
    expect(passRole?.Condition?.StringEquals?.['iam:PassedToService']).toEqual([
      'lambda.amazonaws.com',
      'ecs-tasks.amazonaws.com',
      'eks.amazonaws.com',
      'eks-fargate-pods.amazonaws.com',
      'rds.amazonaws.com',
      'codebuild.amazonaws.com',
    ]);
  });
});

describe('the pull-request preview role', () => {
  const guard = previewGuardPolicy();
  const byGuard = (action: string, resource = '*') => decide([guard], { action, resource });

  it('never reads data, whatever ReadOnlyAccess allows', () => {
    for (const [action, resource] of [
      ['s3:GetObject', 'arn:aws:s3:::glyco-prod-models-123456789012/models/pima-diabetes/1.0.0/model.onnx'],
      ['s3:GetObjectVersion', 'arn:aws:s3:::glyco-prod-models-123456789012/models/x'],
      ['secretsmanager:GetSecretValue', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1'],
      ['logs:GetLogEvents', 'arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/glyco-prod-api:log-stream:x'],
      ['rds:DownloadDBLogFilePortion', 'arn:aws:rds:eu-west-1:123456789012:db:glyco-prod-db'],
    ] as const) {
      expect(byGuard(action, resource), action).toBe('explicitly-denied');
    }
  });

  it('leaves the lookups a preview makes to ReadOnlyAccess, and grants nothing itself', () => {
    for (const action of [
      'ec2:DescribeAvailabilityZones',
      'iam:ListOpenIDConnectProviders',
      'iam:GetOpenIDConnectProvider',
      'ecr:DescribeImages',
      'lambda:GetAccountSettings',
      'route53:ListHostedZones',
      'elasticloadbalancing:DescribeLoadBalancers',
    ]) {
      expect(byGuard(action), action).toBe('implicitly-denied');
    }
    expect(guard.Statement.every((s) => s.Effect === 'Deny')).toBe(true);
  });
});

describe('the workload boundary', () => {
  const allowed = boundary.policy.Statement.flatMap((s) => [s.Action].flat());

  it("grants no IAM change, STS or organization action, apart from the load balancers' service-linked role", () => {
    const privileged = allowed.filter(
      (action) => /^(iam|sts|organizations|account):/i.test(action) && !/^iam:(Get|List)/.test(action),
    );
    expect(privileged).toEqual(['iam:CreateServiceLinkedRole']);
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
    // What terraform-aws-modules/terraform-aws-eks grants a cluster role for secrets encryption
    // (main.tf, aws_iam_policy.cluster_encryption): Encrypt, Decrypt, ListGrants, DescribeKey on the key.
    const clusterRolePolicy = {
      Statement: [
        {
          Effect: 'Allow' as const,
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ListGrants', 'kms:DescribeKey'],
          Resource: 'arn:aws:kms:eu-west-1:123456789012:key/eks',
        },
      ],
    };
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
  const run = (...resources: StackRun['resources']): StackRun => ({ resources, outputs: {} });

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
