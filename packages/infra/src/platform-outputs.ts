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
  /** The permissions boundary every role of the environment carries (the deploy role creates no role without it). */
  workloadBoundaryArn: string;
  /** The GitHub Actions deploy role: the EKS stack grants it cluster access. */
  deployRoleArn: string;
  /** The encrypted bucket (SSE-S3, as ALB access logs require) where prod's load balancers write access logs. */
  accessLogsBucketName: string;
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
  'workloadBoundaryArn',
  'deployRoleArn',
  'accessLogsBucketName',
] as const satisfies readonly (keyof PlatformOutputs)[];

export type PlatformReference = { [K in keyof PlatformOutputs]: pulumi.Output<PlatformOutputs[K]> };

export function platformStackName(org: string, env: Environment): string {
  return `${org}/glyco-platform/${env}`;
}

/** Reads the platform stack of the same environment; a missing output fails the deployment with its name. */
export function readPlatform(org: string, env: Environment): PlatformReference {
  const reference = new pulumi.StackReference(platformStackName(org, env));
  const entries = PLATFORM_OUTPUT_KEYS.map((key) => [key, reference.requireOutput(key)] as const);
  return Object.fromEntries(entries) as unknown as PlatformReference;
}
