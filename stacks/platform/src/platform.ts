import {
  DATABASE_PORT,
  JOB_TASK_FAMILY,
  type PlatformOutputs,
  stackContext,
  taskRoleName,
} from '@glyco/infra';
import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import { AccessLogBucket } from './access-logs.ts';
import { ApiKeysSecret } from './api-keys-secret.ts';
import { ContainerRepository } from './container-repository.ts';
import { DataKey } from './data-key.ts';
import { DeployRunner } from './deploy-runner.ts';
import { ModelRegistry } from './model-registry.ts';
import { ModelSigningKey } from './model-signing-key.ts';
import { Network } from './network.ts';
import { PipelineAccess } from './pipeline-access.ts';
import { DATABASE_NAME, PostgresDatabase } from './postgres-database.ts';
import { readPlatformSettings } from './settings.ts';

type Outputs = { [K in keyof PlatformOutputs]: pulumi.Input<PlatformOutputs[K]> } & Record<
  string,
  pulumi.Input<unknown>
>;

/**
 * The shared base of one environment, one component per concern so that `pulumi preview` reads as a tree:
 * access-log bucket, network, data key, API keys secret, model registry, container registry, pipeline access (boundary and GitHub
 * roles), database, and the CodeBuild deploy runner when configured.
 */
export async function platform(): Promise<Outputs> {
  const { env, name, tags, config } = stackContext();
  const settings = readPlatformSettings(config);
  // Pulumi refuses to delete or replace what holds prod's data (`pulumi state unprotect` lifts it on purpose).
  const protect = env === 'prod';
  const { accountId } = await aws.getCallerIdentity();
  const { region } = await aws.getRegion();

  const accessLogs = new AccessLogBucket(name('access-logs'), {
    bucketName: name(`access-logs-${accountId}`),
    accountId,
    region,
    retentionDays: settings.accessLogRetentionDays,
    protect,
    tags,
  });
  const network = new Network(name('network'), {
    name,
    settings,
    region,
    flowLogs: { bucketArn: accessLogs.bucketArn, dependsOn: accessLogs },
    tags,
  });
  const dataKey = new DataKey(name('data-key'), { env, name, protect, tags });
  const apiKeys = new ApiKeysSecret(name('api-keys'), { env, kmsKeyArn: dataKey.arn, protect, tags });
  const registry = new ModelRegistry(name('models'), {
    bucketName: name(`models-${accountId}`),
    noncurrentVersionDays: settings.modelVersionRetentionDays,
    protect,
    tags,
  });
  const repository = new ContainerRepository(name('app'), {
    repositoryName: name('app'),
    keepImages: settings.ecrKeepImages,
    protect,
    tags,
  });
  // Before any role: the database proxy's role and every role of the target stacks carry its boundary.
  const access = new PipelineAccess(name('pipeline-access'), {
    env,
    name,
    accountId,
    region,
    githubRepository: settings.githubRepository,
    createGithubOidcProvider: settings.createGithubOidcProvider,
    modelBucketArn: registry.bucketArn,
    dataKeyArn: dataKey.arn,
    tags,
  });
  // Only the pipeline and the retrain job sign models; every server of the environment verifies them with the
  // public key. The job's role is named before the jobs stack makes it (a condition, not a principal).
  const signing = new ModelSigningKey(name('model-signing'), {
    env,
    name,
    accountId,
    signerRoleArns: [
      access.deployRoleArn,
      `arn:aws:iam::${accountId}:role/${taskRoleName(name(JOB_TASK_FAMILY))}`,
    ],
    protect,
    tags,
  });
  const database = new PostgresDatabase(name('db'), {
    name,
    vpcId: network.vpcId,
    subnetIds: network.privateSubnetIds,
    clientSecurityGroupIds: [network.workloadSecurityGroupId],
    kmsKeyArn: dataKey.arn,
    roleBoundaryArn: access.workloadBoundaryArn,
    engineMajorVersion: settings.database.engineMajorVersion,
    instanceClass: settings.database.instanceClass,
    allocatedStorageGb: settings.database.storageGb,
    maxAllocatedStorageGb: settings.database.maxStorageGb,
    multiAz: settings.database.multiAz,
    deletionProtection: settings.database.deletionProtection,
    protect,
    backupRetentionDays: settings.database.backupDays,
    logRetentionDays: settings.logRetentionDays,
    tags,
  });

  const runner =
    settings.codebuildRunner &&
    new DeployRunner(name('deploy-runner'), {
      name,
      accountId,
      region,
      githubRepository: settings.githubRepository,
      githubConnectionArn: settings.codebuildRunner.githubConnectionArn,
      vpcId: network.vpcId,
      privateSubnetIds: network.privateSubnetIds,
      roleBoundaryArn: access.workloadBoundaryArn,
      logRetentionDays: settings.logRetentionDays,
      tags,
    });

  return {
    region,
    accountId,
    vpcId: network.vpcId,
    vpcCidr: settings.vpcCidr,
    publicSubnetIds: network.publicSubnetIds,
    privateSubnetIds: network.privateSubnetIds,
    workloadSecurityGroupId: network.workloadSecurityGroupId,
    databaseSecurityGroupId: database.securityGroupId,
    modelBucketName: registry.bucketName,
    modelBucketArn: registry.bucketArn,
    ecrRepositoryUrl: repository.repositoryUrl,
    databaseEndpoint: database.endpoint,
    databaseProxyEndpoint: database.proxyEndpoint,
    databasePort: DATABASE_PORT,
    databaseName: DATABASE_NAME,
    databaseSecretArn: database.secretArn,
    databaseKmsKeyArn: dataKey.arn,
    apiKeysSecretArn: apiKeys.arn,
    modelSigningKeyArn: signing.arn,
    modelSigningPublicKeyPem: signing.publicKeyPem,
    workloadBoundaryArn: access.workloadBoundaryArn,
    deployRoleArn: access.deployRoleArn,
    previewRoleArn: access.previewRoleArn,
    githubOidcProviderArn: access.githubOidcProviderArn,
    githubRepository: settings.githubRepository,
    accessLogsBucketName: accessLogs.bucketName,
    // PROD_DEPLOY_RUNNER is `codebuild-<deployRunnerProject>`; the EKS API admits the runner's group.
    ...(runner && {
      deployRunnerProject: runner.projectName,
      deployRunnerSecurityGroupId: runner.securityGroupId,
    }),
  };
}
