import * as pulumi from '@pulumi/pulumi';
import type { Environment } from './environment.ts';

/** What the platform stack exports and the target stacks read: the contract between them. */
export interface PlatformOutputs {
  region: string;
  accountId: string;
  vpcId: string;
  vpcCidr: string;
  publicSubnetIds: string[];
  privateSubnetIds: string[];
  /** Security group for app workloads (Lambda, ECS tasks): egress to HTTPS and the database only. */
  workloadSecurityGroupId: string;
  /** The database's security group, so a target can admit its own workloads (EKS pods). */
  databaseSecurityGroupId: string;
  modelBucketName: string;
  modelBucketArn: string;
  ecrRepositoryUrl: string;
  databaseEndpoint: string;
  databaseProxyEndpoint: string;
  databasePort: number;
  databaseName: string;
  databaseSecretArn: string;
  databaseKmsKeyArn: string;
  /** The Secrets Manager secret holding the API keys' hashes (`glyco keys create` makes an entry). */
  apiKeysSecretArn: string;
  /** The KMS key (SIGN_VERIFY, ECC_NIST_P256) the pipeline signs model manifests with at publish. */
  modelSigningKeyArn: string;
  /** Its public key, PEM: the targets pass it to the app as MODEL_SIGNING_PUBLIC_KEY (no KMS call to verify). */
  modelSigningPublicKeyPem: string;
  /** The permissions boundary every role of the environment carries (the deploy role creates no role without it). */
  workloadBoundaryArn: string;
  /** The GitHub Actions deploy role: the EKS stack grants it cluster access. */
  deployRoleArn: string;
  /** The encrypted bucket (SSE-S3, as ALB access logs require) where prod's load balancers write access logs. */
  accessLogsBucketName: string;
  /** The read-only role pull requests preview with: the eks stack lets it read the cluster. */
  previewRoleArn?: string;
  /** The CodeBuild deploy runner's security group, when the platform has one (`deployRunner codebuild`): the eks
   * stack admits it to the cluster API. */
  deployRunnerSecurityGroupId?: string;
  /** The account's GitHub Actions OIDC provider, and the repository whose workflows the roles trust: the jobs
   * stack's workflow role trusts the same (a platform deployed before the jobs stack existed lacks these). */
  githubOidcProviderArn?: string;
  githubRepository?: string;
}

export const PLATFORM_OUTPUT_KEYS = [
  'region',
  'accountId',
  'vpcId',
  'vpcCidr',
  'publicSubnetIds',
  'privateSubnetIds',
  'workloadSecurityGroupId',
  'databaseSecurityGroupId',
  'modelBucketName',
  'modelBucketArn',
  'ecrRepositoryUrl',
  'databaseEndpoint',
  'databaseProxyEndpoint',
  'databasePort',
  'databaseName',
  'databaseSecretArn',
  'databaseKmsKeyArn',
  'apiKeysSecretArn',
  'modelSigningKeyArn',
  'modelSigningPublicKeyPem',
  'workloadBoundaryArn',
  'deployRoleArn',
  'accessLogsBucketName',
] as const satisfies readonly (keyof PlatformOutputs)[];

/**
 * Outputs a platform stack may lack: one deployed before they existed, or configured without what they name. A
 * target decides from them what to create, so they are read as plain values before it declares anything.
 */
export const OPTIONAL_PLATFORM_OUTPUT_KEYS = [
  'previewRoleArn',
  'deployRunnerSecurityGroupId',
  'githubOidcProviderArn',
  'githubRepository',
] as const satisfies readonly (keyof PlatformOutputs)[];

type RequiredKey = (typeof PLATFORM_OUTPUT_KEYS)[number];
type OptionalKey = (typeof OPTIONAL_PLATFORM_OUTPUT_KEYS)[number];

/** The platform as a target reads it: the outputs every platform has, and the optional ones, known or absent. */
export type PlatformReference = { [K in RequiredKey]: pulumi.Output<PlatformOutputs[K]> } & {
  [K in OptionalKey]: PlatformOutputs[K] | undefined;
};

export function platformStackName(org: string, env: Environment): string {
  return `${org}/glyco-platform/${env}`;
}

/**
 * Reads the platform stack of the same environment: a missing required output fails the deployment with its
 * name; an optional one is undefined. (A stack reference's values are known in a preview too.)
 */
export async function readPlatform(org: string, env: Environment): Promise<PlatformReference> {
  const reference = new pulumi.StackReference(platformStackName(org, env));
  const required = PLATFORM_OUTPUT_KEYS.map((key) => [key, reference.requireOutput(key)] as const);
  const optional = await Promise.all(
    OPTIONAL_PLATFORM_OUTPUT_KEYS.map(async (key) => [key, await reference.getOutputValue(key)] as const),
  );
  return Object.fromEntries([...required, ...optional]) as unknown as PlatformReference;
}

/** The value of a platform output; these are known in a preview too (the platform was deployed). */
export function knownValue<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}
