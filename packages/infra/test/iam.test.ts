import { describe, expect, it } from 'vitest';
import {
  appAccessPolicy,
  deployIamPolicy,
  evaluate,
  githubDeployTrustPolicy,
  lambdaNetworkInterfacePolicy,
  loadBalancerControllerPolicy,
  logWritePolicy,
  RULES,
  serviceAccountTrustPolicy,
  statementsOf,
} from '../src/index.ts';

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
    [
      'the deploy role IAM rights',
      deployIamPolicy({ accountId: '123456789012', env: 'prod', region: 'eu-west-1' }),
    ],
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
