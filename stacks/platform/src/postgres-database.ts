import { DATABASE_PORT, policyDocument, serviceTrustPolicy, type Tags } from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export const DATABASE_NAME = 'glyco';
/** The master user is also the database name, so a client that only knows the user lands in the right db. */
const MASTER_USERNAME = 'glyco';

export interface PostgresDatabaseArgs {
  /** `glyco-<env>-<purpose>` names for the database's resources. */
  name: (purpose: string) => string;
  vpcId: pulumi.Input<string>;
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Security groups whose members may connect (to the database and to the proxy). */
  clientSecurityGroupIds: pulumi.Input<string>[];
  kmsKeyArn: pulumi.Input<string>;
  /** The environment's workload boundary, which the proxy's role carries. */
  roleBoundaryArn: pulumi.Input<string>;
  engineMajorVersion: number;
  instanceClass: string;
  allocatedStorageGb: number;
  maxAllocatedStorageGb: number;
  multiAz: boolean;
  deletionProtection: boolean;
  /** Refuse to delete or replace the instance from Pulumi (prod), beside RDS's own deletion protection. */
  protect: boolean;
  backupRetentionDays: number;
  logRetentionDays: number;
  tags: Tags;
}

/**
 * PostgreSQL on RDS in private subnets: encrypted with the platform key, TLS forced, master password created and
 * kept by RDS in Secrets Manager, plus an RDS Proxy (TLS required) so Lambda's many short connections pool.
 */
export class PostgresDatabase extends pulumi.ComponentResource {
  readonly endpoint: pulumi.Output<string>;
  readonly proxyEndpoint: pulumi.Output<string>;
  readonly secretArn: pulumi.Output<string>;
  readonly securityGroupId: pulumi.Output<string>;

  constructor(name: string, args: PostgresDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:infra:PostgresDatabase', name, {}, opts);
    const parent = { parent: this };
    const identifier = args.name('db');

    const databaseGroup = this.securityGroup(
      name,
      'db',
      args,
      'PostgreSQL: from the workloads and the proxy only',
    );
    const proxyGroup = this.securityGroup(
      `${name}-proxy`,
      'db-proxy',
      args,
      'RDS Proxy: from the workloads only',
    );
    for (const [index, client] of args.clientSecurityGroupIds.entries()) {
      this.allowPostgres(`${name}-from-client-${index}`, databaseGroup, client, args.tags);
      this.allowPostgres(`${name}-proxy-from-client-${index}`, proxyGroup, client, args.tags);
    }
    this.allowPostgres(`${name}-from-proxy`, databaseGroup, proxyGroup.id, args.tags);
    // The proxy reads the database secret from Secrets Manager (through the interface endpoint or the NAT
    // gateway): without this, its connections fail although the database is reachable.
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-proxy-to-secrets-manager`,
      {
        securityGroupId: proxyGroup.id,
        cidrIpv4: '0.0.0.0/0',
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        description: 'Secrets Manager',
        tags: args.tags,
      },
      parent,
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-proxy-to-db`,
      {
        securityGroupId: proxyGroup.id,
        referencedSecurityGroupId: databaseGroup.id,
        ipProtocol: 'tcp',
        fromPort: DATABASE_PORT,
        toPort: DATABASE_PORT,
        description: 'Proxy to PostgreSQL',
        tags: args.tags,
      },
      parent,
    );

    const subnetGroup = new aws.rds.SubnetGroup(
      name,
      { name: args.name('db-subnets'), subnetIds: args.subnetIds, tags: args.tags },
      parent,
    );
    const parameterGroup = new aws.rds.ParameterGroup(
      name,
      {
        // A prefix: a new family (or description) replaces the group, creating the new one first.
        namePrefix: `${args.name(`postgres${args.engineMajorVersion}`)}-`,
        family: `postgres${args.engineMajorVersion}`,
        description: 'Glyco: TLS required for every connection',
        parameters: [
          { name: 'rds.force_ssl', value: '1' },
          { name: 'log_min_duration_statement', value: '1000' },
        ],
        tags: args.tags,
      },
      parent,
    );
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-postgresql`,
      {
        name: `/aws/rds/instance/${identifier}/postgresql`,
        retentionInDays: args.logRetentionDays,
        tags: args.tags,
      },
      parent,
    );
    const instance = new aws.rds.Instance(
      name,
      {
        // A fixed identifier: the log group above is named after it before the instance exists, and nothing that
        // would replace the instance (engine, encryption, user) changes in place; prod's is protected.
        identifier,
        engine: 'postgres',
        engineVersion: String(args.engineMajorVersion),
        autoMinorVersionUpgrade: true,
        instanceClass: args.instanceClass,
        allocatedStorage: args.allocatedStorageGb,
        maxAllocatedStorage: args.maxAllocatedStorageGb,
        storageType: 'gp3',
        storageEncrypted: true,
        kmsKeyId: args.kmsKeyArn,
        dbName: DATABASE_NAME,
        username: MASTER_USERNAME,
        manageMasterUserPassword: true,
        masterUserSecretKmsKeyId: args.kmsKeyArn,
        port: DATABASE_PORT,
        dbSubnetGroupName: subnetGroup.name,
        vpcSecurityGroupIds: [databaseGroup.id],
        parameterGroupName: parameterGroup.name,
        publiclyAccessible: false,
        multiAz: args.multiAz,
        deletionProtection: args.deletionProtection,
        backupRetentionPeriod: args.backupRetentionDays,
        copyTagsToSnapshot: true,
        skipFinalSnapshot: !args.deletionProtection,
        finalSnapshotIdentifier: args.deletionProtection ? `${identifier}-final` : undefined,
        enabledCloudwatchLogsExports: ['postgresql'],
        caCertIdentifier: 'rds-ca-rsa2048-g1',
        tags: args.tags,
      },
      { parent: this, dependsOn: [logGroup], protect: args.protect },
    );
    const secretArn = instance.masterUserSecrets.apply((secrets) => {
      const arn = secrets[0]?.secretArn;
      if (!arn) throw new Error(`RDS instance ${identifier} reported no managed master user secret.`);
      return arn;
    });

    const proxyRole = new aws.iam.Role(
      `${name}-proxy`,
      {
        name: args.name('db-proxy'),
        assumeRolePolicy: JSON.stringify(serviceTrustPolicy('rds.amazonaws.com')),
        permissionsBoundary: args.roleBoundaryArn,
        tags: args.tags,
      },
      parent,
    );
    new aws.iam.RolePolicy(
      `${name}-proxy-secret`,
      {
        role: proxyRole.id,
        policy: pulumi
          .all([secretArn, args.kmsKeyArn])
          .apply(([secret, key]) => JSON.stringify(proxySecretPolicy(secret, key))),
      },
      parent,
    );
    const proxy = new aws.rds.Proxy(
      name,
      {
        name: args.name('db-proxy'),
        engineFamily: 'POSTGRESQL',
        auths: [
          {
            authScheme: 'SECRETS',
            secretArn,
            iamAuth: 'DISABLED',
            clientPasswordAuthType: 'POSTGRES_SCRAM_SHA_256',
          },
        ],
        roleArn: proxyRole.arn,
        vpcSubnetIds: args.subnetIds,
        vpcSecurityGroupIds: [proxyGroup.id],
        requireTls: true,
        idleClientTimeout: 1800,
        tags: args.tags,
      },
      // Proxies take no name prefix, and new subnets (more zones) replace one: delete the old first.
      { parent: this, deleteBeforeReplace: true },
    );
    new aws.rds.ProxyDefaultTargetGroup(
      name,
      { dbProxyName: proxy.name, connectionPoolConfig: { maxConnectionsPercent: 90 } },
      parent,
    );
    new aws.rds.ProxyTarget(
      name,
      { dbProxyName: proxy.name, targetGroupName: 'default', dbInstanceIdentifier: instance.identifier },
      parent,
    );

    this.endpoint = instance.address;
    this.proxyEndpoint = proxy.endpoint;
    this.secretArn = secretArn;
    this.securityGroupId = databaseGroup.id;
    this.registerOutputs({ endpoint: this.endpoint, proxyEndpoint: this.proxyEndpoint });
  }

  private securityGroup(
    logicalName: string,
    purpose: string,
    args: PostgresDatabaseArgs,
    description: string,
  ): aws.ec2.SecurityGroup {
    return new aws.ec2.SecurityGroup(
      logicalName,
      { namePrefix: `${args.name(purpose)}-`, vpcId: args.vpcId, description, tags: args.tags },
      { parent: this },
    );
  }

  private allowPostgres(
    name: string,
    group: aws.ec2.SecurityGroup,
    source: pulumi.Input<string>,
    tags: Tags,
  ): aws.vpc.SecurityGroupIngressRule {
    return new aws.vpc.SecurityGroupIngressRule(
      name,
      {
        securityGroupId: group.id,
        referencedSecurityGroupId: source,
        ipProtocol: 'tcp',
        fromPort: DATABASE_PORT,
        toPort: DATABASE_PORT,
        description: 'PostgreSQL',
        tags,
      },
      { parent: this },
    );
  }
}

export function proxySecretPolicy(secretArn: string, kmsKeyArn: string) {
  return policyDocument([
    {
      Sid: 'ReadDatabaseSecret',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: secretArn,
    },
    { Sid: 'DecryptDatabaseSecret', Effect: 'Allow', Action: 'kms:Decrypt', Resource: kmsKeyArn },
  ]);
}
