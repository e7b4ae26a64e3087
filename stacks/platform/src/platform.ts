import {
  ContainerRepository,
  DATABASE_NAME,
  DATABASE_PORT,
  GithubActionsRoles,
  ModelRegistry,
  type PlatformOutputs,
  PostgresDatabase,
  stackContext,
  workloadBoundaryName,
  workloadBoundaryPolicy,
} from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as awsx from '@pulumi/awsx';
import * as pulumi from '@pulumi/pulumi';
import { INTERFACE_ENDPOINT_SERVICES, vpcArgs } from './network.ts';
import { readPlatformSettings } from './settings.ts';

type Outputs = { [K in keyof PlatformOutputs]: pulumi.Input<PlatformOutputs[K]> } & Record<
  string,
  pulumi.Input<unknown>
>;

/** The shared base of one environment: network, registries, database, and the CI deploy role. */
export async function platform(): Promise<Outputs> {
  const { env, name, tags, config } = stackContext();
  const settings = readPlatformSettings(config);
  const { accountId } = await aws.getCallerIdentity();
  const { region } = await aws.getRegion();

  const vpc = new awsx.ec2.Vpc(name('vpc'), vpcArgs(settings, region, tags));

  const workloadGroup = new aws.ec2.SecurityGroup(name('workload'), {
    name: name('workload'),
    vpcId: vpc.vpcId,
    description: 'Glyco app workloads: HTTPS out (AWS APIs, model registry) and PostgreSQL inside the VPC',
    tags,
  });
  new aws.vpc.SecurityGroupEgressRule(name('workload-https-out'), {
    securityGroupId: workloadGroup.id,
    cidrIpv4: '0.0.0.0/0',
    ipProtocol: 'tcp',
    fromPort: 443,
    toPort: 443,
    description: 'AWS APIs and S3',
    tags,
  });
  new aws.vpc.SecurityGroupEgressRule(name('workload-postgres-out'), {
    securityGroupId: workloadGroup.id,
    cidrIpv4: settings.vpcCidr,
    ipProtocol: 'tcp',
    fromPort: DATABASE_PORT,
    toPort: DATABASE_PORT,
    description: 'PostgreSQL and RDS Proxy',
    tags,
  });

  if (settings.interfaceEndpoints) {
    const endpointGroup = new aws.ec2.SecurityGroup(name('endpoints'), {
      name: name('endpoints'),
      vpcId: vpc.vpcId,
      description: 'Interface VPC endpoints: HTTPS from inside the VPC',
      tags,
    });
    new aws.vpc.SecurityGroupIngressRule(name('endpoints-https-in'), {
      securityGroupId: endpointGroup.id,
      cidrIpv4: settings.vpcCidr,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      description: 'HTTPS from the VPC',
      tags,
    });
    for (const service of INTERFACE_ENDPOINT_SERVICES) {
      const endpointName = name(`endpoint-${service.replace('.', '-')}`);
      new aws.ec2.VpcEndpoint(endpointName, {
        vpcId: vpc.vpcId,
        serviceName: `com.amazonaws.${region}.${service}`,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: vpc.privateSubnetIds,
        securityGroupIds: [endpointGroup.id],
        tags: { ...tags, Name: endpointName },
      });
    }
  }

  const dataKey = new aws.kms.Key(name('data'), {
    description: `Glyco ${env}: encrypts the database and its master secret`,
    enableKeyRotation: true,
    deletionWindowInDays: 30,
    tags,
  });
  new aws.kms.Alias(name('data'), { name: `alias/${name('data')}`, targetKeyId: dataKey.keyId });

  const registry = new ModelRegistry(name('models'), {
    bucketName: name(`models-${accountId}`),
    noncurrentVersionDays: settings.modelVersionRetentionDays,
    tags,
  });
  const repository = new ContainerRepository(name('app'), {
    repositoryName: name('app'),
    keepImages: settings.ecrKeepImages,
    tags,
  });
  // Before any role: the database proxy's role and every role of the target stacks carry it.
  const boundary = new aws.iam.Policy(name('workload-boundary'), {
    name: workloadBoundaryName(env),
    description: `Glyco ${env}: the most any role of this environment may do (permissions boundary)`,
    policy: pulumi
      .all([registry.bucketArn, dataKey.arn])
      .apply(([modelBucketArn, dataKeyArn]) =>
        JSON.stringify(workloadBoundaryPolicy({ accountId, region, env, modelBucketArn, dataKeyArn })),
      ),
    tags,
  });
  const database = new PostgresDatabase(name('db'), {
    name,
    vpcId: vpc.vpcId,
    subnetIds: vpc.privateSubnetIds,
    clientSecurityGroupIds: [workloadGroup.id],
    kmsKeyArn: dataKey.arn,
    roleBoundaryArn: boundary.arn,
    engineMajorVersion: settings.database.engineMajorVersion,
    instanceClass: settings.database.instanceClass,
    allocatedStorageGb: settings.database.storageGb,
    maxAllocatedStorageGb: settings.database.maxStorageGb,
    multiAz: settings.database.multiAz,
    deletionProtection: settings.database.deletionProtection,
    backupRetentionDays: settings.database.backupDays,
    logRetentionDays: settings.logRetentionDays,
    tags,
  });
  const github = new GithubActionsRoles(name('github-actions'), {
    repository: settings.githubRepository,
    environment: env,
    accountId,
    region,
    createOidcProvider: settings.createGithubOidcProvider,
    tags,
  });

  return {
    region,
    accountId,
    vpcId: vpc.vpcId,
    vpcCidr: settings.vpcCidr,
    publicSubnetIds: vpc.publicSubnetIds,
    privateSubnetIds: vpc.privateSubnetIds,
    workloadSecurityGroupId: workloadGroup.id,
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
    workloadBoundaryArn: boundary.arn,
    deployRoleArn: github.deployRoleArn,
    previewRoleArn: github.previewRoleArn,
    githubOidcProviderArn: github.oidcProviderArn,
  };
}
