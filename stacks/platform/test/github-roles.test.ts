import {
  actionMatches,
  decide,
  type EvaluableDocument,
  evaluate,
  type PolicyDocument,
  previewGuardPolicy,
  RULES,
} from '@glyco/infra';
import { fixtureBoundary, previewAccess, READ_ONLY_ACCESS, runStack } from '@glyco/infra/testing';
import { describe, expect, it } from 'vitest';
import { deployIamPolicy } from '../src/deploy-policy.ts';
import { githubDeployTrustPolicy, githubPreviewTrustPolicy } from '../src/github-trust.ts';
import { platform } from '../src/platform.ts';

const ACCOUNT = '123456789012';
const deployPolicy = deployIamPolicy({ accountId: ACCOUNT, env: 'prod', region: 'eu-west-1' });
const boundary = fixtureBoundary('prod');
const BOUNDARY_ARN = `arn:aws:iam::${ACCOUNT}:policy/glyco-prod-workload-boundary`;
const OWN_ROLE = `arn:aws:iam::${ACCOUNT}:role/glyco-prod-github-deploy`;
const PREVIEW_ROLE = `arn:aws:iam::${ACCOUNT}:role/glyco-prod-github-preview`;
const statement = (document: PolicyDocument, sid: string) => document.Statement.find((s) => s.Sid === sid);

describe('the GitHub trusts', () => {
  it('trust one GitHub repository and environment for deploys, and its pull requests for previews', () => {
    const deploy = githubDeployTrustPolicy({
      providerArn: 'arn:p',
      repository: 'acme/glyco',
      environment: 'dev',
    });
    expect(deploy.Statement[0]?.Condition?.StringEquals?.['token.actions.githubusercontent.com:sub']).toBe(
      'repo:acme/glyco:environment:dev',
    );
    const preview = githubPreviewTrustPolicy({ providerArn: 'arn:p', repository: 'acme/glyco' });
    expect(preview.Statement[0]?.Condition?.StringEquals).toEqual({
      'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
      'token.actions.githubusercontent.com:sub': 'repo:acme/glyco:pull_request',
    });
  });

  it('keep the deploy role within the IAM policy rules', () => {
    const asRolePolicy = {
      type: 'aws:iam/rolePolicy:RolePolicy',
      name: 'deploy',
      props: { policy: JSON.stringify(deployPolicy) },
    };
    expect(evaluate([asRolePolicy], RULES)).toEqual([]);
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
      'scheduler.amazonaws.com',
    ]);
  });
});

describe('the pull-request preview role', () => {
  const guard = previewGuardPolicy();
  const byGuard = (action: string, resource = '*') => decide([guard], { action, resource });

  it('never reads data, although ReadOnlyAccess allows it', () => {
    for (const [action, resource] of [
      ['s3:GetObject', 'arn:aws:s3:::glyco-prod-models-123456789012/models/pima-diabetes/1.0.0/model.onnx'],
      ['s3:GetObjectVersion', 'arn:aws:s3:::glyco-prod-models-123456789012/models/x'],
      ['ssm:GetParameter', 'arn:aws:ssm:eu-west-1:123456789012:parameter/x'],
      ['logs:GetLogEvents', 'arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/glyco-prod-api:log-stream:x'],
      ['logs:StartQuery', 'arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/glyco-prod-api'],
      ['rds:DownloadDBLogFilePortion', 'arn:aws:rds:eu-west-1:123456789012:db:glyco-prod-db'],
    ] as const) {
      expect(decide([READ_ONLY_ACCESS], { action, resource }), action).toBe('allowed');
      expect(decide([READ_ONLY_ACCESS, guard], { action, resource }), action).toBe('explicitly-denied');
    }
    const secret = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1';
    expect(byGuard('secretsmanager:GetSecretValue', secret)).toBe('explicitly-denied');
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

  it.each([
    ['its own OIDC provider', {}],
    [
      "the account's OIDC provider (shared-account mode)",
      { createGithubOidcProvider: false, sharedAccountAcknowledged: true },
    ],
  ])('may make every lookup of a platform preview, with %s', async (_, config) => {
    const stack = await runStack({
      project: 'glyco-platform',
      stack: 'dev',
      stackDir: new URL('..', import.meta.url).pathname,
      program: platform,
      configOverrides: { githubRepository: 'acme/glyco', ...config },
    });
    const shared = 'createGithubOidcProvider' in config;
    expect(previewAccess(stack)).toEqual({
      actions: [
        'sts:GetCallerIdentity',
        'sts:GetCallerIdentity',
        ...(shared ? ['iam:ListOpenIDConnectProviders', 'iam:GetOpenIDConnectProvider'] : []),
        // The model signing key's public key, for the targets (an existing key's; a new one is unknown then).
        'kms:GetPublicKey',
        'ec2:DescribeAvailabilityZones',
      ],
      refusals: [],
    });
  });
});
