import { loadBalancerControllerPolicy, type PlatformReference, type Tags } from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { FargateCluster } from './cluster.ts';
import { serviceAccountRoleTrust } from './service-account-role.ts';

export const CONTROLLER_ACCOUNT = 'aws-load-balancer-controller';

export interface LoadBalancerControllerArgs {
  name: (purpose: string) => string;
  tags: Tags;
  platform: PlatformReference;
  cluster: FargateCluster;
  chartVersion: string;
}

/**
 * The AWS Load Balancer Controller (Helm chart from aws/eks-charts), with its IRSA role: it turns the app's
 * Ingress into an ALB. Its Service mutator webhook is off: it exists to take Services of type LoadBalancer over
 * from the in-tree controller, the app has none, and with failurePolicy Fail it refuses every Service created
 * before the controller's pods answer, which on a first deploy races the app's Service
 * (kubernetes-sigs/aws-load-balancer-controller@v2.13.0 docs/deploy/installation.md and
 * helm/aws-load-balancer-controller/templates/webhook.yaml, value enableServiceMutatorWebhook).
 */
export class LoadBalancerController extends pulumi.ComponentResource {
  /** The Helm release: ready once the controller (and its Ingress webhook) answers. */
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: LoadBalancerControllerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:eks:LoadBalancerController', name, {}, opts);
    const parent = { parent: this };
    const { name: named, tags, platform, cluster } = args;
    const role = new aws.iam.Role(
      named('eks-lb-controller'),
      {
        name: named('eks-lb-controller'),
        assumeRolePolicy: serviceAccountRoleTrust(cluster, 'kube-system', CONTROLLER_ACCOUNT),
        permissionsBoundary: platform.workloadBoundaryArn,
        tags,
      },
      parent,
    );
    new aws.iam.RolePolicy(
      named('eks-lb-controller'),
      { role: role.id, policy: JSON.stringify(loadBalancerControllerPolicy()) },
      parent,
    );
    this.release = new k8s.helm.v3.Release(
      named('lb-controller'),
      {
        name: CONTROLLER_ACCOUNT,
        chart: 'aws-load-balancer-controller',
        version: args.chartVersion,
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
            annotations: { 'eks.amazonaws.com/role-arn': role.arn },
          },
          enableServiceMutatorWebhook: false,
          defaultTags: tags,
        },
      },
      { ...parent, provider: cluster.provider, dependsOn: cluster.systemReady },
    );
    this.registerOutputs({});
  }
}
