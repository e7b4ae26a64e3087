import { stackContext, workloadEnvironment } from '@glyco/infra';
import {
  ApiWebAcl,
  plainHttpNotice,
  prepareTarget,
  publicDomain,
  requireRegisteredModel,
} from '@glyco/infra/target';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { InferenceApp } from './app.ts';
import { clusterNameOf, FargateCluster } from './cluster.ts';
import { requireReachableVersion } from './kubernetes-version.ts';
import { LoadBalancerController } from './load-balancer-controller.ts';
import { FargateLogging } from './logging.ts';
import { APP_NAMESPACE } from './manifests.ts';
import { readEksSettings } from './settings.ts';

/**
 * The inference app on EKS Fargate, exposed by an ALB that the AWS Load Balancer Controller manages, on its own
 * HTTPS name: the stack makes the certificate, hands it to the Ingress, and points the name at the ALB the
 * controller reports in the Ingress's status (an alias in the region's ALB hosted zone, aws.lb.getHostedZoneId).
 * No second controller (external-dns) and no lookup by tags: the address the Kubernetes provider waits for is
 * the ALB's own DNS name, and the record lives and dies with the stack.
 */
export async function eks() {
  const context = stackContext();
  const { env, name, tags } = context;
  const { platform, config } = await prepareTarget(context);
  const settings = readEksSettings(config, env);
  await requireRegisteredModel(platform, settings.model);
  await requireReachableVersion(clusterNameOf(name), settings.kubernetesVersion);
  const domain = await publicDomain(name('domain'), settings.domain, tags);

  const cluster = new FargateCluster(name('cluster'), {
    name,
    tags,
    platform,
    // Pulumi refuses to delete or replace prod's secrets key (`pulumi state unprotect` lifts it on purpose).
    protect: env === 'prod',
    settings,
  });
  const logging = new FargateLogging(name('logging'), { name, cluster, region: platform.region });
  const controller = new LoadBalancerController(name('lb-controller'), {
    name,
    tags,
    platform,
    cluster,
    chartVersion: settings.loadBalancerControllerChartVersion,
  });
  const environment = workloadEnvironment(platform, settings, platform.databaseEndpoint);
  const app = new InferenceApp(name('app'), {
    name,
    tags,
    platform,
    cluster,
    settings,
    environment,
    https: domain && { host: domain.domainName, certificateArn: domain.certificateArn },
    accessLogsBucket: settings.accessLogs ? platform.accessLogsBucketName : undefined,
    // The controller associates the ALB it makes with the ACL the Ingress names.
    webAclArn: settings.waf.enabled
      ? new ApiWebAcl(name('waf'), {
          aclName: name('api'),
          ratePerFiveMinutes: settings.waf.ratePerFiveMinutes,
          tags,
        }).arn
      : undefined,
    after: [...cluster.systemReady, logging.configMap],
    ingressAfter: [controller.release],
  });
  domain?.pointAt({
    dnsName: app.loadBalancerHostname,
    zoneId: aws.lb.getHostedZoneIdOutput({ loadBalancerType: 'application' }).id,
  });

  return {
    url: domain?.url ?? app.loadBalancerHostname.apply((hostname) => `http://${hostname}`),
    tls: domain ? `HTTPS on ${domain.domainName}` : plainHttpNotice,
    clusterName: cluster.clusterName,
    namespace: APP_NAMESPACE,
    image: settings.image.uri,
    model: settings.model,
    modelUri: environment.apply((variables) => variables.MODEL_URI),
    logGroup: cluster.appLogGroup,
    databaseEndpoint: platform.databaseEndpoint,
    kubeconfigCommand: pulumi.interpolate`aws eks update-kubeconfig --name ${cluster.clusterName} --region ${platform.region}`,
  };
}
