import type { PolicyResource } from '../../policy/rule.ts';

/**
 * What `awsx.ec2.Vpc` registers for given args, with the inputs it gives each child: under
 * `pulumi.runtime.setMocks` the component is remote and its children never appear, yet `pulumi up` registers
 * them and the policy pack judges each one. Read from pulumi/pulumi-awsx at e60adf3c (v3.8.0 plus dependency
 * updates; the snapshot ends before the v3.9.0 tag, and the VpcArgs and input types of the installed @pulumi/awsx
 * 3.9.0 are those of that commit's schema):
 * - awsx/ec2/vpc.ts, `Vpc.initialize`: the `aws.ec2.Vpc` gets `tags: {Name: <name>, ...tags}` ("sharedTags"); one
 *   InternetGateway; per zone and subnet spec (public first, `compareSubnetSpecs`) a Subnet, a RouteTable, a
 *   RouteTableAssociation (no tags), for public subnets an Eip and NatGateway per `shouldCreateNatGateway`
 *   (tagged `{...tags, Name}`, without the shared Name), a default Route (no tags) to the gateway or NAT; then one
 *   VpcEndpoint per spec, named by its service, on every route table when a gateway endpoint under the "Auto"
 *   strategy names none, and with a SecurityGroup plus SecurityGroupRule of its own
 *   (`createVpcEndpointSecurityGroupId`) when an "Auto" interface endpoint names no security group;
 * - awsx/ec2/subnetDistributorNew.ts, `getSubnetSpecs`: every spec in every zone, in spec order;
 * - awsx/ec2/subnetNaming.ts, `subnetNames`: `<vpc>-<spec name or type>-<zone number>`.
 * Addresses are left out: no policy reads them. Args outside what this models are refused, not guessed.
 */
export function awsxVpcChildren(
  name: string,
  args: Record<string, unknown>,
  region: string,
): PolicyResource[] {
  const vpcArgs = args as VpcArgs;
  refuseUnmodelled(vpcArgs);
  const zones = availabilityZones(vpcArgs, region);
  const tags = vpcArgs.tags ?? {};
  const sharedTags = { Name: name, ...tags };
  const natStrategy = vpcArgs.natGateways?.strategy ?? 'OnePerAz';
  const endpointStrategy = vpcArgs.vpcEndpointStrategy ?? 'Legacy';
  const specs = [...(vpcArgs.subnetSpecs ?? DEFAULT_SPECS)].sort(
    (a, b) => TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type),
  );

  const children: PolicyResource[] = [
    child('aws:ec2/vpc:Vpc', name, {
      cidrBlock: vpcArgs.cidrBlock ?? '10.0.0.0/16',
      enableDnsHostnames: vpcArgs.enableDnsHostnames,
      enableDnsSupport: vpcArgs.enableDnsSupport,
      tags: sharedTags,
    }),
    child('aws:ec2/internetGateway:InternetGateway', name, { tags: sharedTags }),
  ];
  const routeTables: string[] = [];
  let natGateways = 0;
  zones.forEach((zone, index) => {
    for (const spec of specs) {
      const subnet = `${name}-${spec.name ?? spec.type.toLowerCase()}-${index + 1}`;
      const typeTags = { ...sharedTags, Name: subnet, SubnetType: spec.type };
      routeTables.push(subnet);
      children.push(
        child('aws:ec2/subnet:Subnet', subnet, {
          availabilityZone: zone,
          mapPublicIpOnLaunch: spec.type === 'Public',
          tags: { ...sharedTags, ...spec.tags, Name: subnet, SubnetType: spec.type },
        }),
        child('aws:ec2/routeTable:RouteTable', subnet, { tags: typeTags }),
        child('aws:ec2/routeTableAssociation:RouteTableAssociation', subnet, {
          routeTableId: `${subnet}-rt-id`,
          subnetId: `${subnet}-id`,
        }),
      );
      if (spec.type === 'Public' && createsNatGateway(natStrategy, natGateways, index)) {
        const nat = `${name}-${index + 1}`;
        children.push(
          child('aws:ec2/eip:Eip', nat, { tags: { ...tags, Name: nat } }),
          child('aws:ec2/natGateway:NatGateway', nat, {
            subnetId: `${subnet}-id`,
            tags: { ...tags, Name: nat },
          }),
        );
        natGateways++;
      }
      if (spec.type === 'Public' || (spec.type === 'Private' && natStrategy !== 'None')) {
        children.push(
          child('aws:ec2/route:Route', subnet, {
            routeTableId: `${subnet}-rt-id`,
            destinationCidrBlock: '0.0.0.0/0',
            ...(spec.type === 'Public' ? { gatewayId: `${name}-igw-id` } : { natGatewayId: 'nat-id' }),
          }),
        );
      }
    }
  });
  for (const spec of vpcArgs.vpcEndpointSpecs ?? []) {
    children.push(...endpointChildren(spec, endpointStrategy, sharedTags, routeTables));
  }
  return children;
}

interface SubnetSpec {
  type: 'Public' | 'Private' | 'Isolated';
  name?: string;
  cidrMask?: number;
  cidrBlocks?: string[];
  tags?: Record<string, string>;
}

interface EndpointSpec {
  serviceName: string;
  vpcEndpointType?: string;
  routeTableIds?: string[];
  securityGroupIds?: string[];
  privateDnsEnabled?: boolean;
  tags?: Record<string, string>;
}

interface VpcArgs {
  cidrBlock?: string;
  enableDnsHostnames?: boolean;
  enableDnsSupport?: boolean;
  availabilityZoneNames?: string[];
  numberOfAvailabilityZones?: number;
  subnetStrategy?: string;
  subnetSpecs?: SubnetSpec[];
  natGateways?: { strategy?: 'None' | 'Single' | 'OnePerAz'; elasticIpAllocationIds?: string[] };
  vpcEndpointStrategy?: 'Legacy' | 'Auto';
  vpcEndpointSpecs?: EndpointSpec[];
  tags?: Record<string, string>;
}

const TYPE_ORDER = ['Public', 'Private', 'Isolated'];
const DEFAULT_SPECS: SubnetSpec[] = [{ type: 'Private' }, { type: 'Public' }];

function refuseUnmodelled(args: VpcArgs): void {
  const unmodelled = [
    args.subnetStrategy !== 'Auto' &&
      `subnetStrategy "${args.subnetStrategy ?? 'Legacy'}" (modelled: "Auto")`,
    args.subnetSpecs?.some((spec) => spec.cidrBlocks) && 'subnet specs with explicit cidrBlocks',
    args.natGateways?.elasticIpAllocationIds?.length && 'given elastic IP allocations',
  ].filter(Boolean);
  if (unmodelled.length > 0) {
    throw new Error(
      `The awsx.ec2.Vpc model does not cover ${unmodelled.join(', ')}: extend packages/infra/src/testing/awsx/vpc.ts from the pulumi-awsx source.`,
    );
  }
}

/** awsx asks the provider for the region's zones and takes the first N (3 by default), `getDefaultAzs`. */
function availabilityZones(args: VpcArgs, region: string): string[] {
  if (args.availabilityZoneNames) return args.availabilityZoneNames;
  return [...'abcdef'].slice(0, args.numberOfAvailabilityZones ?? 3).map((letter) => `${region}${letter}`);
}

function createsNatGateway(strategy: string, existing: number, zoneIndex: number): boolean {
  if (strategy === 'Single') return existing < 1;
  if (strategy === 'OnePerAz') return existing < zoneIndex + 1;
  return false;
}

function endpointChildren(
  spec: EndpointSpec,
  strategy: string,
  sharedTags: Record<string, string>,
  routeTables: string[],
): PolicyResource[] {
  const type = (spec.vpcEndpointType ?? 'Gateway').toLowerCase();
  const autoInterface = strategy === 'Auto' && type === 'interface';
  const ownGroup = autoInterface && spec.securityGroupIds === undefined;
  const tags = { ...sharedTags, ...spec.tags };
  return [
    ...(ownGroup
      ? [
          child('aws:ec2/securityGroup:SecurityGroup', `${spec.serviceName}-sg`, { tags }),
          child('aws:ec2/securityGroupRule:SecurityGroupRule', `${spec.serviceName}-ingress`, {
            type: 'ingress',
            protocol: 'tcp',
            fromPort: 443,
            toPort: 443,
            cidrBlocks: ['vpc-cidr'],
          }),
        ]
      : []),
    child('aws:ec2/vpcEndpoint:VpcEndpoint', spec.serviceName, {
      serviceName: spec.serviceName,
      vpcEndpointType: spec.vpcEndpointType,
      routeTableIds:
        strategy === 'Auto' && type === 'gateway' && spec.routeTableIds === undefined
          ? routeTables.map((table) => `${table}-rt-id`)
          : spec.routeTableIds,
      privateDnsEnabled:
        autoInterface && spec.privateDnsEnabled === undefined ? true : spec.privateDnsEnabled,
      tags,
    }),
  ];
}

function child(type: string, name: string, props: Record<string, unknown>): PolicyResource {
  return { type, name, props };
}
