import { describe, expect, it } from 'vitest';
import { awsxChildren } from '../src/testing/awsx/index.ts';

const tags = { project: 'glyco', environment: 'prod', 'managed-by': 'pulumi' };
const vpc = (props: Record<string, unknown>) => ({
  type: 'awsx:ec2:Vpc',
  name: 'glyco-prod-vpc',
  props: {
    subnetStrategy: 'Auto',
    numberOfAvailabilityZones: 3,
    subnetSpecs: [
      { type: 'Private', cidrMask: 20 },
      { type: 'Public', cidrMask: 22, tags: { 'kubernetes.io/role/elb': '1' } },
    ],
    tags,
    ...props,
  },
});
const count = (resources: { type: string }[]) =>
  resources.reduce<Record<string, number>>((counts, { type }) => {
    counts[type] = (counts[type] ?? 0) + 1;
    return counts;
  }, {});

describe('the awsx.ec2.Vpc model', () => {
  it('registers per zone a public and a private subnet with a route table, an association and a route each, and a NAT per zone', () => {
    const children = awsxChildren([vpc({ natGateways: { strategy: 'OnePerAz' } })], 'eu-west-1');
    expect(count(children)).toEqual({
      'aws:ec2/vpc:Vpc': 1,
      'aws:ec2/internetGateway:InternetGateway': 1,
      'aws:ec2/subnet:Subnet': 6,
      'aws:ec2/routeTable:RouteTable': 6,
      'aws:ec2/routeTableAssociation:RouteTableAssociation': 6,
      'aws:ec2/route:Route': 6,
      'aws:ec2/eip:Eip': 3,
      'aws:ec2/natGateway:NatGateway': 3,
    });
    const publicSubnet = children.find((c) => c.name === 'glyco-prod-vpc-public-2');
    expect(publicSubnet?.props).toEqual({
      availabilityZone: 'eu-west-1b',
      mapPublicIpOnLaunch: true,
      tags: {
        Name: 'glyco-prod-vpc-public-2',
        SubnetType: 'Public',
        'kubernetes.io/role/elb': '1',
        ...tags,
      },
    });
  });

  it('gives one NAT gateway to a single-NAT VPC and none to a VPC without NAT, whose private subnets get no route', () => {
    expect(count(awsxChildren([vpc({ natGateways: { strategy: 'Single' } })], 'eu-west-1'))).toMatchObject({
      'aws:ec2/natGateway:NatGateway': 1,
      'aws:ec2/route:Route': 6,
    });
    const none = count(awsxChildren([vpc({ natGateways: { strategy: 'None' } })], 'eu-west-1'));
    expect(none['aws:ec2/natGateway:NatGateway']).toBeUndefined();
    expect(none['aws:ec2/route:Route']).toBe(3);
  });

  it('attaches an "Auto" gateway endpoint to every route table, and gives an "Auto" interface endpoint its own security group', () => {
    const children = awsxChildren(
      [
        vpc({
          numberOfAvailabilityZones: 2,
          vpcEndpointStrategy: 'Auto',
          vpcEndpointSpecs: [
            { serviceName: 'com.amazonaws.eu-west-1.s3', vpcEndpointType: 'Gateway', tags },
            { serviceName: 'com.amazonaws.eu-west-1.sts', vpcEndpointType: 'Interface' },
          ],
        }),
      ],
      'eu-west-1',
    );
    const s3 = children.find((c) => c.name === 'com.amazonaws.eu-west-1.s3');
    expect(s3?.props.routeTableIds).toHaveLength(4);
    expect(children.map((c) => c.type)).toEqual(
      expect.arrayContaining([
        'aws:ec2/securityGroup:SecurityGroup',
        'aws:ec2/securityGroupRule:SecurityGroupRule',
      ]),
    );
    expect(children.find((c) => c.name === 'com.amazonaws.eu-west-1.sts')?.props.privateDnsEnabled).toBe(
      true,
    );
  });

  it('refuses args it does not model, and an awsx component without a model', () => {
    expect(() => awsxChildren([vpc({ subnetStrategy: 'Legacy' })], 'eu-west-1')).toThrow(
      /does not cover subnetStrategy "Legacy"/,
    );
    expect(() =>
      awsxChildren([{ type: 'awsx:ecs:FargateService', name: 'api', props: {} }], 'eu-west-1'),
    ).toThrow(/No model of what awsx:ecs:FargateService registers/);
  });
});
