import { DATABASE_PORT, type Tags } from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as awsx from '@pulumi/awsx';
import * as pulumi from '@pulumi/pulumi';
import { ACCESS_LOG_PREFIXES } from './access-logs.ts';
import { NAT_STRATEGIES, type PlatformSettings } from './settings.ts';

/** Interface endpoints that keep image pulls, secret reads and log writes off the NAT gateways. */
export const INTERFACE_ENDPOINT_SERVICES = ['ecr.api', 'ecr.dkr', 'secretsmanager', 'logs'] as const;

/**
 * The VPC as awsx builds it: public and private subnets in each zone, tagged for the AWS Load Balancer
 * Controller's subnet discovery, NAT per config, and the free S3 gateway endpoint on the route tables.
 */
export function vpcArgs(settings: PlatformSettings, region: string, tags: Tags): awsx.ec2.VpcArgs {
  return {
    cidrBlock: settings.vpcCidr,
    numberOfAvailabilityZones: settings.availabilityZones,
    enableDnsHostnames: true,
    enableDnsSupport: true,
    subnetStrategy: 'Auto',
    subnetSpecs: [
      { type: 'Public', cidrMask: 22, tags: { ...tags, 'kubernetes.io/role/elb': '1' } },
      { type: 'Private', cidrMask: 20, tags: { ...tags, 'kubernetes.io/role/internal-elb': '1' } },
    ],
    natGateways: { strategy: NAT_STRATEGIES[settings.natGateways] },
    vpcEndpointStrategy: 'Auto',
    vpcEndpointSpecs: [{ serviceName: `com.amazonaws.${region}.s3`, vpcEndpointType: 'Gateway', tags }],
    tags,
  };
}

export interface NetworkArgs {
  name: (purpose: string) => string;
  settings: PlatformSettings;
  region: string;
  /** Where the flow logs go, when `vpcFlowLogs` is on; its bucket policy must admit the delivery first. */
  flowLogs: { bucketArn: pulumi.Input<string>; dependsOn: pulumi.Resource };
  tags: Tags;
}

/**
 * The environment's network: the VPC, the security group every app workload joins (HTTPS out, PostgreSQL
 * inside the VPC), and the optional interface endpoints.
 */
export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly publicSubnetIds: pulumi.Output<string[]>;
  readonly privateSubnetIds: pulumi.Output<string[]>;
  readonly workloadSecurityGroupId: pulumi.Output<string>;

  constructor(logicalName: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:platform:Network', logicalName, {}, opts);
    const { name, settings, region, tags } = args;
    const parent = { parent: this };
    const vpc = new awsx.ec2.Vpc(name('vpc'), vpcArgs(settings, region, tags), parent);

    const workloadGroup = new aws.ec2.SecurityGroup(
      name('workload'),
      {
        // Prefixes: a changed description replaces a group, creating the new one first.
        namePrefix: `${name('workload')}-`,
        vpcId: vpc.vpcId,
        description:
          'Glyco app workloads: HTTPS out (AWS APIs, model registry) and PostgreSQL inside the VPC',
        tags,
      },
      parent,
    );
    new aws.vpc.SecurityGroupEgressRule(
      name('workload-https-out'),
      {
        securityGroupId: workloadGroup.id,
        cidrIpv4: '0.0.0.0/0',
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        description: 'AWS APIs and S3',
        tags,
      },
      parent,
    );
    new aws.vpc.SecurityGroupEgressRule(
      name('workload-postgres-out'),
      {
        securityGroupId: workloadGroup.id,
        cidrIpv4: settings.vpcCidr,
        ipProtocol: 'tcp',
        fromPort: DATABASE_PORT,
        toPort: DATABASE_PORT,
        description: 'PostgreSQL and RDS Proxy',
        tags,
      },
      parent,
    );
    if (settings.interfaceEndpoints) this.interfaceEndpoints(args, vpc);
    if (settings.vpcFlowLogs) {
      new aws.ec2.FlowLog(
        name('vpc-flow-logs'),
        {
          vpcId: vpc.vpcId,
          trafficType: 'ALL',
          logDestinationType: 's3',
          logDestination: pulumi.interpolate`${args.flowLogs.bucketArn}/${ACCESS_LOG_PREFIXES.vpcFlowLogs}/`,
          maxAggregationInterval: 600,
          destinationOptions: {
            fileFormat: 'parquet',
            hiveCompatiblePartitions: true,
            perHourPartition: true,
          },
          tags,
        },
        { parent: this, dependsOn: [args.flowLogs.dependsOn] },
      );
    }

    this.vpcId = vpc.vpcId;
    this.publicSubnetIds = vpc.publicSubnetIds;
    this.privateSubnetIds = vpc.privateSubnetIds;
    this.workloadSecurityGroupId = workloadGroup.id;
    this.registerOutputs({ vpcId: this.vpcId });
  }

  private interfaceEndpoints({ name, settings, region, tags }: NetworkArgs, vpc: awsx.ec2.Vpc): void {
    const parent = { parent: this };
    const endpointGroup = new aws.ec2.SecurityGroup(
      name('endpoints'),
      {
        namePrefix: `${name('endpoints')}-`,
        vpcId: vpc.vpcId,
        description: 'Interface VPC endpoints: HTTPS from inside the VPC',
        tags,
      },
      parent,
    );
    new aws.vpc.SecurityGroupIngressRule(
      name('endpoints-https-in'),
      {
        securityGroupId: endpointGroup.id,
        cidrIpv4: settings.vpcCidr,
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        description: 'HTTPS from the VPC',
        tags,
      },
      parent,
    );
    for (const service of INTERFACE_ENDPOINT_SERVICES) {
      const endpointName = name(`endpoint-${service.replace('.', '-')}`);
      new aws.ec2.VpcEndpoint(
        endpointName,
        {
          vpcId: vpc.vpcId,
          serviceName: `com.amazonaws.${region}.${service}`,
          vpcEndpointType: 'Interface',
          privateDnsEnabled: true,
          subnetIds: vpc.privateSubnetIds,
          securityGroupIds: [endpointGroup.id],
          tags: { ...tags, Name: endpointName },
        },
        parent,
      );
    }
  }
}
