import type { Tags } from '@glyco/infra';
import type * as awsx from '@pulumi/awsx';
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
