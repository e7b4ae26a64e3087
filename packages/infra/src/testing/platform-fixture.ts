import type { Environment } from '../environment.ts';
import { workloadBoundaryArn } from '../iam/boundary.ts';
import type { PlatformOutputs } from '../platform-outputs.ts';

export const TEST_ACCOUNT_ID = '123456789012';
export const TEST_REGION = 'eu-west-1';
/** The public hosted zone a `hostedZoneId` resolves to in tests. */
export const TEST_ZONE_NAME = 'example.com';
export const TEST_IMAGE = `${TEST_ACCOUNT_ID}.dkr.ecr.${TEST_REGION}.amazonaws.com/glyco-dev-app@sha256:${'ab'.repeat(32)}`;

/** A real P-256 public key (its private half was not kept): what KMS's GetPublicKey gives, as PEM. */
export const TEST_MODEL_SIGNING_PUBLIC_KEY_PEM = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAER44lY+JAIW83I6dKG6dnR9Uzi/mZ
peiyio+jMyog/GeOX97n4dnxvVej5C1DzfX8BEJTvAEAYLFfqAzZksNOLQ==
-----END PUBLIC KEY-----
`;

/** Platform outputs as the target stacks' StackReference sees them in tests: a platform without a deploy runner. */
export function platformFixture(env: Environment): PlatformOutputs {
  const arn = (service: string, resource: string) =>
    `arn:aws:${service}:${TEST_REGION}:${TEST_ACCOUNT_ID}:${resource}`;
  return {
    region: TEST_REGION,
    accountId: TEST_ACCOUNT_ID,
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    vpcCidr: '10.20.0.0/16',
    publicSubnetIds: ['subnet-public-a', 'subnet-public-b'],
    privateSubnetIds: ['subnet-private-a', 'subnet-private-b'],
    workloadSecurityGroupId: 'sg-workload',
    databaseSecurityGroupId: 'sg-database',
    modelBucketName: `glyco-${env}-models-${TEST_ACCOUNT_ID}`,
    modelBucketArn: `arn:aws:s3:::glyco-${env}-models-${TEST_ACCOUNT_ID}`,
    ecrRepositoryUrl: `${TEST_ACCOUNT_ID}.dkr.ecr.${TEST_REGION}.amazonaws.com/glyco-${env}-app`,
    databaseEndpoint: `glyco-${env}-db.abcdefghijkl.${TEST_REGION}.rds.amazonaws.com`,
    databaseProxyEndpoint: `glyco-${env}-db-proxy.proxy-abcdefghijkl.${TEST_REGION}.rds.amazonaws.com`,
    databasePort: 5432,
    databaseName: 'glyco',
    databaseSecretArn: arn('secretsmanager', `secret:rds!db-0000-${env}-AbCdEf`),
    databaseKmsKeyArn: arn('kms', `key/00000000-0000-0000-0000-00000000${env === 'dev' ? '0001' : '0002'}`),
    apiKeysSecretArn: arn('secretsmanager', `secret:glyco-${env}-api-keys-AbCdEf`),
    modelSigningKeyArn: arn('kms', `key/00000000-0000-0000-0000-00000000${env === 'dev' ? '0011' : '0012'}`),
    modelSigningPublicKeyPem: TEST_MODEL_SIGNING_PUBLIC_KEY_PEM,
    workloadBoundaryArn: workloadBoundaryArn(TEST_ACCOUNT_ID, env),
    deployRoleArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/glyco-${env}-github-deploy`,
    previewRoleArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/glyco-${env}-github-preview`,
    accessLogsBucketName: `glyco-${env}-access-logs-${TEST_ACCOUNT_ID}`,
    githubOidcProviderArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com`,
    githubRepository: 'acme/glyco',
  };
}
