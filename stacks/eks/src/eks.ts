import {
  APP_ENVIRONMENT_KEYS,
  appAccessOf,
  DATABASE_PORT,
  loadBalancerControllerPolicy,
  readPlatform,
  serviceAccountTrustPolicy,
  stackContext,
  WorkloadRole,
  workloadEnvironment,
} from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { fargateCluster } from './cluster.ts';
import { kubeconfig } from './kubeconfig.ts';
import { APP_NAME, APP_NAMESPACE, appManifests, fargateLoggingManifests } from './manifests.ts';
import { readEksSettings } from './settings.ts';

const CONTROLLER_ACCOUNT = 'aws-load-balancer-controller';

/** The inference app on EKS Fargate, exposed by an ALB that the AWS Load Balancer Controller manages. */
export async function eks() {
  const { env, name, tags, config } = stackContext();
  const settings = readEksSettings(config, env);
  const platform = readPlatform(settings.org, env);
  const cluster = fargateCluster({ name, tags, platform, settings });

  // Fargate pods carry the cluster security group: admit it to PostgreSQL.
  new aws.vpc.SecurityGroupIngressRule(name('db-from-eks-pods'), {
    securityGroupId: platform.databaseSecurityGroupId,
    referencedSecurityGroupId: cluster.clusterSecurityGroupId,
    ipProtocol: 'tcp',
    fromPort: DATABASE_PORT,
    toPort: DATABASE_PORT,
    description: `PostgreSQL from ${name('eks')} pods`,
    tags,
  });

  const irsaTrust = (namespace: string, serviceAccount: string) =>
    pulumi
      .all([cluster.oidcProviderArn, cluster.issuer])
      .apply(([providerArn, issuerUrl]) =>
        JSON.stringify(serviceAccountTrustPolicy({ providerArn, issuerUrl, namespace, serviceAccount })),
      );
  const controllerRole = new aws.iam.Role(name('eks-lb-controller'), {
    name: name('eks-lb-controller'),
    assumeRolePolicy: irsaTrust('kube-system', CONTROLLER_ACCOUNT),
    permissionsBoundary: platform.workloadBoundaryArn,
    tags,
  });
  new aws.iam.RolePolicy(name('eks-lb-controller'), {
    role: controllerRole.id,
    policy: JSON.stringify(loadBalancerControllerPolicy()),
  });
  const appRole = new WorkloadRole(name('eks-app'), {
    roleName: name('eks-app'),
    assumeRolePolicy: irsaTrust(APP_NAMESPACE, APP_NAME),
    permissionsBoundary: platform.workloadBoundaryArn,
    appAccess: appAccessOf(platform),
    tags,
  });

  const provider = new k8s.Provider(name('eks'), {
    kubeconfig: pulumi
      .all([
        cluster.cluster.name,
        cluster.cluster.endpoint,
        cluster.cluster.certificateAuthority,
        platform.region,
      ])
      .apply(([clusterName, endpoint, authority, region]) =>
        kubeconfig({ clusterName, endpoint, certificateAuthority: authority.data ?? '', region }),
      ),
    enableServerSideApply: true,
  });
  const onCluster = { provider, dependsOn: cluster.systemReady };

  const logging = fargateLoggingManifests({ logGroupName: cluster.appLogGroup, region: platform.region });
  const loggingNamespace = new k8s.core.v1.Namespace(name('aws-observability'), logging.namespace, onCluster);
  new k8s.core.v1.ConfigMap(name('aws-logging'), logging.configMap, {
    provider,
    dependsOn: [loggingNamespace],
  });

  const controller = new k8s.helm.v3.Release(
    name('lb-controller'),
    {
      name: CONTROLLER_ACCOUNT,
      chart: 'aws-load-balancer-controller',
      version: settings.loadBalancerControllerChartVersion,
      repositoryOpts: { repo: 'https://aws.github.io/eks-charts' },
      namespace: 'kube-system',
      atomic: true,
      values: {
        clusterName: cluster.clusterName,
        // Fargate has no instance metadata service: region and VPC must be given.
        region: platform.region,
        vpcId: platform.vpcId,
        serviceAccount: {
          create: true,
          name: CONTROLLER_ACCOUNT,
          annotations: { 'eks.amazonaws.com/role-arn': controllerRole.arn },
        },
        defaultTags: tags,
      },
    },
    onCluster,
  );

  const environment = workloadEnvironment(platform, settings, platform.databaseEndpoint);
  const manifests = appManifests({
    image: settings.image.uri,
    args: settings.command,
    workingDir: settings.workingDirectory,
    environment: Object.fromEntries(APP_ENVIRONMENT_KEYS.map((key) => [key, environment[key]])),
    roleArn: appRole.roleArn,
    minReplicas: settings.minReplicas,
    maxReplicas: settings.maxReplicas,
    cpuTargetPercent: settings.cpuTargetPercent,
    podCpu: settings.podCpu,
    podMemory: settings.podMemory,
    certificateArn: settings.certificateArn,
    tags,
  });
  const namespace = new k8s.core.v1.Namespace(name('app-namespace'), manifests.namespace, {
    provider,
    dependsOn: [cluster.appProfile],
  });
  const inApp = { provider, dependsOn: [namespace] };
  new k8s.core.v1.ServiceAccount(name('app-service-account'), manifests.serviceAccount, inApp);
  new k8s.apps.v1.Deployment(name('app'), manifests.deployment, inApp);
  new k8s.core.v1.Service(name('app'), manifests.service, inApp);
  new k8s.autoscaling.v2.HorizontalPodAutoscaler(name('app'), manifests.autoscaler, inApp);
  new k8s.policy.v1.PodDisruptionBudget(name('app'), manifests.disruptionBudget, inApp);
  const ingress = new k8s.networking.v1.Ingress(name('app'), manifests.ingress, {
    provider,
    // The controller's webhook must be up before an Ingress is admitted.
    dependsOn: [namespace, controller],
  });

  const scheme = settings.certificateArn ? 'https' : 'http';
  return {
    url: ingress.status.apply((status) => {
      const hostname = status?.loadBalancer?.ingress?.[0]?.hostname;
      return hostname
        ? `${scheme}://${hostname}`
        : 'pending: the load balancer controller has not reported an address yet';
    }),
    clusterName: cluster.clusterName,
    namespace: APP_NAMESPACE,
    image: settings.image.uri,
    model: settings.model,
    modelUri: environment.MODEL_URI,
    logGroup: cluster.appLogGroup,
    databaseEndpoint: platform.databaseEndpoint,
    kubeconfigCommand: pulumi.interpolate`aws eks update-kubeconfig --name ${cluster.clusterName} --region ${platform.region}`,
  };
}
