import { at, environmentOf, failures, list, type PolicyRule } from '../rule.ts';

const ANYWHERE = new Set(['0.0.0.0/0', '::/0']);
/** The only ports the internet may reach: the public load balancers' HTTP (redirect) and HTTPS listeners. */
const PUBLIC_PORTS = new Set([80, 443]);

interface IngressSpec {
  fromPort: unknown;
  toPort: unknown;
  cidrs: unknown[];
}

function ingressSpecs(type: string, props: Record<string, unknown>): IngressSpec[] {
  switch (type) {
    case 'aws:ec2/securityGroup:SecurityGroup':
      return list(props.ingress).map((rule) => ({
        fromPort: at(rule, 'fromPort'),
        toPort: at(rule, 'toPort'),
        cidrs: [...list(at(rule, 'cidrBlocks')), ...list(at(rule, 'ipv6CidrBlocks'))],
      }));
    case 'aws:ec2/securityGroupRule:SecurityGroupRule':
      if (props.type !== 'ingress') return [];
      return [
        {
          fromPort: props.fromPort,
          toPort: props.toPort,
          cidrs: [...list(props.cidrBlocks), ...list(props.ipv6CidrBlocks)],
        },
      ];
    default:
      return [{ fromPort: props.fromPort, toPort: props.toPort, cidrs: [props.cidrIpv4, props.cidrIpv6] }];
  }
}

export const securityGroupNoOpenIngress: PolicyRule = {
  name: 'security-group-no-open-ingress',
  description: 'Ingress from anywhere (0.0.0.0/0, ::/0) is allowed only on TCP 80 and 443.',
  appliesTo: [
    'aws:ec2/securityGroup:SecurityGroup',
    'aws:ec2/securityGroupRule:SecurityGroupRule',
    'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule',
  ],
  check: ({ type, props }) =>
    ingressSpecs(type, props)
      .filter((spec) => spec.cidrs.some((cidr) => typeof cidr === 'string' && ANYWHERE.has(cidr)))
      .filter((spec) => !(spec.fromPort === spec.toPort && PUBLIC_PORTS.has(Number(spec.fromPort))))
      .map((spec) => `ingress from anywhere on ports ${String(spec.fromPort)}-${String(spec.toPort)}`),
};

export const ecsNoPublicIp: PolicyRule = {
  name: 'ecs-no-public-ip',
  description: 'ECS tasks run in private subnets without a public IP address.',
  appliesTo: ['aws:ecs/service:Service', 'awsx:ecs:FargateService'],
  check: ({ props }) =>
    failures([
      at(props, 'networkConfiguration', 'assignPublicIp') === true,
      'assignPublicIp must not be true',
    ]),
};

const TLS12_POLICY = /^ELBSecurityPolicy-(TLS13-|TLS-1-2-|FS-1-2-)/;

export const loadBalancerHardened: PolicyRule = {
  name: 'load-balancer-hardened',
  description: 'Application load balancers drop invalid headers; HTTPS listeners allow TLS 1.2+ only.',
  appliesTo: ['aws:lb/loadBalancer:LoadBalancer', 'aws:lb/listener:Listener'],
  check: ({ type, props }) => {
    if (type === 'aws:lb/listener:Listener') {
      if (props.protocol !== 'HTTPS') return [];
      return failures([
        !TLS12_POLICY.test(String(props.sslPolicy ?? '')),
        'sslPolicy must allow TLS 1.2+ only',
      ]);
    }
    const application = (props.loadBalancerType ?? 'application') === 'application';
    return failures([
      application && props.dropInvalidHeaderFields !== true,
      'dropInvalidHeaderFields must be true',
    ]);
  },
};

export const vpcHighlyAvailable: PolicyRule = {
  name: 'vpc-highly-available',
  description: 'VPCs span two or more availability zones; production has one NAT gateway per zone.',
  appliesTo: ['awsx:ec2:Vpc'],
  check: (resource) =>
    failures(
      [
        Number(resource.props.numberOfAvailabilityZones ?? 0) < 2,
        'numberOfAvailabilityZones must be at least 2',
      ],
      [
        environmentOf(resource) === 'prod' && at(resource.props, 'natGateways', 'strategy') !== 'OnePerAz',
        'natGateways.strategy must be OnePerAz in prod',
      ],
    ),
};

export const eksEndpointRestricted: PolicyRule = {
  name: 'eks-endpoint-restricted',
  description:
    'A production cluster API endpoint is private, or public only to listed networks (not 0.0.0.0/0).',
  appliesTo: ['aws:eks/cluster:Cluster'],
  check: (resource) => {
    if (environmentOf(resource) !== 'prod') return [];
    const vpcConfig = at(resource.props, 'vpcConfig');
    if (at(vpcConfig, 'endpointPublicAccess') === false) return [];
    const cidrs = list(at(vpcConfig, 'publicAccessCidrs'));
    return failures([
      cidrs.length === 0 || cidrs.some((cidr) => typeof cidr === 'string' && ANYWHERE.has(cidr)),
      'the public endpoint must be limited by publicAccessCidrs (not 0.0.0.0/0) in prod',
    ]);
  },
};
