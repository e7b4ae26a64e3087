import { stackContext, workloadEnvironment } from '@glyco/infra';
import {
  ApiWebAcl,
  plainHttpNotice,
  prepareTarget,
  publicDomain,
  requireRegisteredModel,
} from '@glyco/infra/target';
import { ServiceAutoscaling } from './autoscaling.ts';
import { PublicLoadBalancer } from './load-balancer.ts';
import { FargateService } from './service.ts';
import { readEcsSettings } from './settings.ts';

/** The inference app as a Fargate service in the private subnets behind a public ALB, on its own HTTPS name. */
export async function ecs() {
  const context = stackContext();
  const { env, name, tags } = context;
  const { platform, config } = await prepareTarget(context);
  const settings = readEcsSettings(config, env);
  await requireRegisteredModel(platform, settings.model);

  const domain = await publicDomain(name('domain'), settings.domain, tags);
  const lb = new PublicLoadBalancer(name('load-balancer'), {
    name,
    tags,
    platform,
    certificateArn: domain?.certificateArn,
    deletionProtection: env === 'prod',
    // The platform's bucket policy lets load balancers write under alb/<target>/AWSLogs/<account>/.
    accessLogsPrefix: settings.accessLogs ? 'alb/ecs' : undefined,
  });
  domain?.pointAt(lb);
  if (settings.waf.enabled) {
    new ApiWebAcl(name('waf'), {
      aclName: name('api'),
      ratePerFiveMinutes: settings.waf.ratePerFiveMinutes,
      loadBalancerArn: lb.arn,
      tags,
    });
  }

  const environment = workloadEnvironment(platform, settings, platform.databaseEndpoint);
  const service = new FargateService(name('service'), {
    name,
    tags,
    platform,
    settings,
    environment,
    targetGroupArn: lb.targetGroupArn,
    targetSecurityGroupId: lb.targetSecurityGroupId,
    dependsOn: lb.listeners,
  });
  new ServiceAutoscaling(name('autoscaling'), {
    name,
    tags,
    clusterName: service.clusterName,
    serviceName: service.serviceName,
    requestCountLabel: lb.requestCountLabel,
    settings,
  });

  return {
    url: domain?.url ?? lb.dnsName.apply((dnsName) => `http://${dnsName}`),
    tls: domain ? `HTTPS on ${domain.domainName}` : plainHttpNotice,
    clusterName: service.clusterName,
    serviceName: service.serviceName,
    image: settings.image.uri,
    model: settings.model,
    modelUri: environment.apply((variables) => variables.MODEL_URI),
    logGroup: service.logGroupName,
    databaseEndpoint: platform.databaseEndpoint,
  };
}
