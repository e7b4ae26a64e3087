import type { Tags } from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

/**
 * The cluster the jobs run on: no service and no instances, only tasks started on demand (Fargate), with Container
 * Insights on. A cluster of its own keeps the serving cluster's scaling and metrics free of batch work, and lets
 * the job roles' ecs:RunTask name this cluster alone (condition ecs:cluster).
 */
export class JobsCluster extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;

  constructor(
    name: string,
    args: { clusterName: string; tags: Tags },
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super('glyco:jobs:JobsCluster', name, {}, opts);
    const cluster = new aws.ecs.Cluster(
      args.clusterName,
      {
        name: args.clusterName,
        settings: [{ name: 'containerInsights', value: 'enabled' }],
        tags: args.tags,
      },
      { parent: this },
    );
    this.name = cluster.name;
    this.arn = cluster.arn;
    this.registerOutputs({ name: this.name });
  }
}
