import { APP_PORT, type PlatformReference, READINESS_PATH, type Tags } from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export const MODERN_TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

export interface LoadBalancerArgs {
  name: (purpose: string) => string;
  tags: Tags;
  platform: PlatformReference;
  /** A validated certificate for HTTPS (HTTP then only redirects); without one the listener serves plain HTTP. */
  certificateArn: pulumi.Input<string> | undefined;
  deletionProtection: boolean;
  /** Write access logs to the platform's access-log bucket, under `<prefix>/AWSLogs/<account>/`. */
  accessLogsPrefix: string | undefined;
}

/**
 * A public ALB in the public subnets in front of the tasks: HTTPS when a certificate is given (HTTP then only
 * redirects), health-checked on the app's readiness route, reaching only the tasks' security group.
 *
 * The security groups, the load balancer and the target group take generated names (`glyco-<env>-alb-1a2b3c4`):
 * a change AWS cannot make in place (a group's description, the ALB's scheme, the target group's port, protocol
 * or target type) replaces them, and Pulumi creates the replacement before it deletes the old one, which a fixed
 * name would refuse (EC2 CreateSecurityGroup: InvalidGroup.Duplicate; ELB: DuplicateLoadBalancerName,
 * DuplicateTargetGroupName).
 */
export class PublicLoadBalancer extends pulumi.ComponentResource {
  /** The group the tasks join: the only one the load balancer may reach. */
  readonly targetSecurityGroupId: pulumi.Output<string>;
  readonly targetGroupArn: pulumi.Output<string>;
  readonly listeners: aws.lb.Listener[];
  readonly arn: pulumi.Output<string>;
  readonly dnsName: pulumi.Output<string>;
  /** The load balancer's canonical hosted zone, for an alias record. */
  readonly zoneId: pulumi.Output<string>;
  /** `app/<lb>/<id>/targetgroup/<tg>/<id>`: the label of the requests-per-target scaling metric. */
  readonly requestCountLabel: pulumi.Output<string>;

  constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:ecs:PublicLoadBalancer', name, {}, opts);
    const parent = { parent: this };
    const { name: named, tags, platform, certificateArn } = args;

    const group = new aws.ec2.SecurityGroup(
      named('alb'),
      {
        vpcId: platform.vpcId,
        description: 'Public load balancer: HTTP(S) from anywhere, to the app tasks only',
        tags,
      },
      parent,
    );
    const targets = new aws.ec2.SecurityGroup(
      named('ecs-tasks'),
      {
        vpcId: platform.vpcId,
        description: 'App tasks: the load balancer in (egress comes from the workload group)',
        tags,
      },
      parent,
    );
    const publicPorts = certificateArn ? [80, 443] : [80];
    for (const port of publicPorts) {
      new aws.vpc.SecurityGroupIngressRule(
        named(`alb-in-${port}`),
        {
          securityGroupId: group.id,
          cidrIpv4: '0.0.0.0/0',
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          description: port === 80 && certificateArn ? 'HTTP, redirected to HTTPS' : 'Public API',
          tags,
        },
        parent,
      );
    }
    new aws.vpc.SecurityGroupEgressRule(
      named('alb-to-tasks'),
      {
        securityGroupId: group.id,
        referencedSecurityGroupId: targets.id,
        ipProtocol: 'tcp',
        fromPort: APP_PORT,
        toPort: APP_PORT,
        description: 'To the app tasks',
        tags,
      },
      parent,
    );
    new aws.vpc.SecurityGroupIngressRule(
      named('tasks-from-alb'),
      {
        securityGroupId: targets.id,
        referencedSecurityGroupId: group.id,
        ipProtocol: 'tcp',
        fromPort: APP_PORT,
        toPort: APP_PORT,
        description: 'From the load balancer',
        tags,
      },
      parent,
    );

    const loadBalancer = new aws.lb.LoadBalancer(
      named('alb'),
      {
        loadBalancerType: 'application',
        internal: false,
        subnets: platform.publicSubnetIds,
        securityGroups: [group.id],
        dropInvalidHeaderFields: true,
        enableDeletionProtection: args.deletionProtection,
        idleTimeout: 60,
        accessLogs: args.accessLogsPrefix
          ? { bucket: platform.accessLogsBucketName, prefix: args.accessLogsPrefix, enabled: true }
          : undefined,
        tags,
      },
      parent,
    );
    const targetGroup = new aws.lb.TargetGroup(
      named('api'),
      {
        port: APP_PORT,
        protocol: 'HTTP',
        targetType: 'ip',
        vpcId: platform.vpcId,
        deregistrationDelay: 30,
        healthCheck: {
          path: READINESS_PATH,
          matcher: '200',
          interval: 15,
          timeout: 5,
          healthyThreshold: 2,
          unhealthyThreshold: 3,
        },
        tags,
      },
      parent,
    );
    const listener = (purpose: string, listenerArgs: Omit<aws.lb.ListenerArgs, 'loadBalancerArn' | 'tags'>) =>
      new aws.lb.Listener(
        named(purpose),
        { loadBalancerArn: loadBalancer.arn, ...listenerArgs, tags },
        parent,
      );
    const forward = [{ type: 'forward', targetGroupArn: targetGroup.arn }];
    this.listeners = certificateArn
      ? [
          listener('https', {
            port: 443,
            protocol: 'HTTPS',
            sslPolicy: MODERN_TLS_POLICY,
            certificateArn,
            defaultActions: forward,
          }),
          listener('http', {
            port: 80,
            protocol: 'HTTP',
            defaultActions: [
              { type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } },
            ],
          }),
        ]
      : [listener('http', { port: 80, protocol: 'HTTP', defaultActions: forward })];

    this.targetSecurityGroupId = targets.id;
    this.targetGroupArn = targetGroup.arn;
    this.arn = loadBalancer.arn;
    this.dnsName = loadBalancer.dnsName;
    this.zoneId = loadBalancer.zoneId;
    this.requestCountLabel = pulumi.interpolate`${loadBalancer.arnSuffix}/${targetGroup.arnSuffix}`;
    this.registerOutputs({ dnsName: this.dnsName });
  }
}
