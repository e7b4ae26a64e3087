import {
  appAccessOf,
  DATABASE_PORT,
  type PlatformReference,
  type Tags,
  type TargetEnvironment,
  targetEnvironmentKeys,
  WorkloadRole,
} from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { FargateCluster } from './cluster.ts';
import { APP_NAME, APP_NAMESPACE, appManifests } from './manifests.ts';
import { serviceAccountRoleTrust } from './service-account-role.ts';
import type { EksSettings } from './settings.ts';

export interface InferenceAppArgs {
  name: (purpose: string) => string;
  tags: Tags;
  platform: PlatformReference;
  cluster: FargateCluster;
  settings: Pick<
    EksSettings,
    | 'image'
    | 'command'
    | 'workingDirectory'
    | 'minReplicas'
    | 'maxReplicas'
    | 'cpuTargetPercent'
    | 'podCpu'
    | 'podMemory'
    | 'oidc'
  >;
  environment: pulumi.Output<TargetEnvironment>;
  https: { host: string; certificateArn: pulumi.Input<string> } | undefined;
  accessLogsBucket: pulumi.Input<string> | undefined;
  /** The WAF web ACL the Ingress's load balancer is associated with. */
  webAclArn: pulumi.Input<string> | undefined;
  /** What the namespace, and so every app object, waits for (cluster access, Fargate logging). */
  after: pulumi.Resource[];
  /** What admits the Ingress (the load balancer controller, whose webhook validates it). */
  ingressAfter: pulumi.Resource[];
}

/**
 * The app in its namespace: its IRSA role and service account, the Deployment (non-root, read-only root, /tmp an
 * emptyDir), its Service, autoscaler and disruption budget, the Ingress the controller turns into an ALB, and
 * the database's admission of the pods (Fargate pods carry the cluster security group).
 */
export class InferenceApp extends pulumi.ComponentResource {
  /** The DNS name of the ALB the controller made for the Ingress. */
  readonly loadBalancerHostname: pulumi.Output<string>;

  constructor(name: string, args: InferenceAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:eks:InferenceApp', name, {}, opts);
    const parent = { parent: this };
    const { name: named, tags, platform, cluster, settings } = args;

    new aws.vpc.SecurityGroupIngressRule(
      named('db-from-eks-pods'),
      {
        securityGroupId: platform.databaseSecurityGroupId,
        referencedSecurityGroupId: cluster.clusterSecurityGroupId,
        ipProtocol: 'tcp',
        fromPort: DATABASE_PORT,
        toPort: DATABASE_PORT,
        description: `PostgreSQL from ${named('eks')} pods`,
        tags,
      },
      parent,
    );
    const role = new WorkloadRole(
      named('eks-app'),
      {
        roleName: named('eks-app'),
        assumeRolePolicy: serviceAccountRoleTrust(cluster, APP_NAMESPACE, APP_NAME),
        permissionsBoundary: platform.workloadBoundaryArn,
        appAccess: appAccessOf(platform),
        tags,
      },
      parent,
    );
    const manifests = appManifests({
      image: settings.image.uri,
      args: settings.command,
      workingDir: settings.workingDirectory,
      environment: Object.fromEntries(
        targetEnvironmentKeys(settings.oidc).map((key) => [
          key,
          args.environment.apply((variables) => {
            const value = variables[key];
            if (value === undefined) throw new Error(`the app's environment has no ${key}`);
            return value;
          }),
        ]),
      ),
      roleArn: role.roleArn,
      minReplicas: settings.minReplicas,
      maxReplicas: settings.maxReplicas,
      cpuTargetPercent: settings.cpuTargetPercent,
      podCpu: settings.podCpu,
      podMemory: settings.podMemory,
      https: args.https,
      accessLogsBucket: args.accessLogsBucket,
      webAclArn: args.webAclArn,
      tags,
    });
    const onCluster = { ...parent, provider: cluster.provider };
    const namespace = new k8s.core.v1.Namespace(named('app-namespace'), manifests.namespace, {
      ...onCluster,
      dependsOn: [cluster.appProfile, ...args.after],
    });
    const inApp = { ...onCluster, dependsOn: [namespace] };
    new k8s.core.v1.ServiceAccount(named('app-service-account'), manifests.serviceAccount, inApp);
    new k8s.apps.v1.Deployment(named('app'), manifests.deployment, inApp);
    new k8s.core.v1.Service(named('app'), manifests.service, inApp);
    new k8s.autoscaling.v2.HorizontalPodAutoscaler(named('app'), manifests.autoscaler, inApp);
    new k8s.policy.v1.PodDisruptionBudget(named('app'), manifests.disruptionBudget, inApp);
    const ingress = new k8s.networking.v1.Ingress(named('app'), manifests.ingress, {
      ...onCluster,
      dependsOn: [namespace, ...args.ingressAfter],
    });
    // The provider waits for the Ingress to get an address before it reports it created.
    this.loadBalancerHostname = ingress.status.apply((status) => {
      const hostname = status?.loadBalancer?.ingress?.[0]?.hostname;
      if (!hostname) {
        throw new Error(
          `The load balancer controller reported no address for Ingress ${APP_NAMESPACE}/${APP_NAME}: ` +
            `kubectl describe ingress -n ${APP_NAMESPACE} ${APP_NAME}, and the controller's logs in kube-system.`,
        );
      }
      return hostname;
    });
    this.registerOutputs({ loadBalancerHostname: this.loadBalancerHostname });
  }
}
