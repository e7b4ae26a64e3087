import { APP_PORT, type PlatformReference, READINESS_PATH, type Tags } from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export const MODERN_TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

export interface LoadBalancerArgs {
  name: (purpose: string) => string;
  tags: Tags;
  platform: PlatformReference;
  certificateArn: string | undefined;
  deletionProtection: boolean;
  /** The tasks' security group, the only target the load balancer may reach. */
  taskSecurityGroup: aws.ec2.SecurityGroup;
}

/**
 * A public ALB in the public subnets in front of the tasks: HTTPS when a certificate is configured (HTTP then
 * only redirects), health-checked on the app's readiness route.
 */
export function publicLoadBalancer({
  name,
  tags,
  platform,
  certificateArn,
  deletionProtection,
  taskSecurityGroup,
}: LoadBalancerArgs) {
  const group = new aws.ec2.SecurityGroup(name('alb'), {
    name: name('alb'),
    vpcId: platform.vpcId,
    description: 'Public load balancer: HTTP(S) from anywhere, to the app tasks only',
    tags,
  });
  const publicPorts = certificateArn ? [80, 443] : [80];
  for (const port of publicPorts) {
    new aws.vpc.SecurityGroupIngressRule(name(`alb-in-${port}`), {
      securityGroupId: group.id,
      cidrIpv4: '0.0.0.0/0',
      ipProtocol: 'tcp',
      fromPort: port,
      toPort: port,
      description: port === 80 && certificateArn ? 'HTTP, redirected to HTTPS' : 'Public API',
      tags,
    });
  }
  new aws.vpc.SecurityGroupEgressRule(name('alb-to-tasks'), {
    securityGroupId: group.id,
    referencedSecurityGroupId: taskSecurityGroup.id,
    ipProtocol: 'tcp',
    fromPort: APP_PORT,
    toPort: APP_PORT,
    description: 'To the app tasks',
    tags,
  });
  new aws.vpc.SecurityGroupIngressRule(name('tasks-from-alb'), {
    securityGroupId: taskSecurityGroup.id,
    referencedSecurityGroupId: group.id,
    ipProtocol: 'tcp',
    fromPort: APP_PORT,
    toPort: APP_PORT,
    description: 'From the load balancer',
    tags,
  });

  const loadBalancer = new aws.lb.LoadBalancer(name('alb'), {
    name: name('alb'),
    loadBalancerType: 'application',
    internal: false,
    subnets: platform.publicSubnetIds,
    securityGroups: [group.id],
    dropInvalidHeaderFields: true,
    enableDeletionProtection: deletionProtection,
    idleTimeout: 60,
    tags,
  });
  const targetGroup = new aws.lb.TargetGroup(name('api'), {
    name: name('api'),
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
  });
  const forward = [{ type: 'forward', targetGroupArn: targetGroup.arn }];
  const listeners = certificateArn
    ? [
        new aws.lb.Listener(name('https'), {
          loadBalancerArn: loadBalancer.arn,
          port: 443,
          protocol: 'HTTPS',
          sslPolicy: MODERN_TLS_POLICY,
          certificateArn,
          defaultActions: forward,
          tags,
        }),
        new aws.lb.Listener(name('http'), {
          loadBalancerArn: loadBalancer.arn,
          port: 80,
          protocol: 'HTTP',
          defaultActions: [
            { type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } },
          ],
          tags,
        }),
      ]
    : [
        new aws.lb.Listener(name('http'), {
          loadBalancerArn: loadBalancer.arn,
          port: 80,
          protocol: 'HTTP',
          defaultActions: forward,
          tags,
        }),
      ];

  return {
    listeners,
    targetGroup,
    url: pulumi.interpolate`${certificateArn ? 'https' : 'http'}://${loadBalancer.dnsName}`,
    /** `app/<lb>/<id>/targetgroup/<tg>/<id>`: the label of the requests-per-target scaling metric. */
    requestCountLabel: pulumi.interpolate`${loadBalancer.arnSuffix}/${targetGroup.arnSuffix}`,
  };
}
