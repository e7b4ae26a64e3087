import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { FargateCluster } from './cluster.ts';
import { fargateLoggingManifests } from './manifests.ts';

/**
 * Fargate's built-in Fluent Bit ships container logs to CloudWatch once the `aws-observability` namespace holds
 * an `aws-logging` ConfigMap; a pod reads it when it starts, so the app's pods must start after it.
 */
export class FargateLogging extends pulumi.ComponentResource {
  /** The ConfigMap: what the app namespace waits for. */
  readonly configMap: k8s.core.v1.ConfigMap;

  constructor(
    name: string,
    args: { name: (purpose: string) => string; cluster: FargateCluster; region: pulumi.Input<string> },
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super('glyco:eks:FargateLogging', name, {}, opts);
    const { cluster } = args;
    const logging = fargateLoggingManifests({ logGroupName: cluster.appLogGroup, region: args.region });
    const namespace = new k8s.core.v1.Namespace(args.name('aws-observability'), logging.namespace, {
      parent: this,
      provider: cluster.provider,
      dependsOn: cluster.systemReady,
    });
    this.configMap = new k8s.core.v1.ConfigMap(args.name('aws-logging'), logging.configMap, {
      parent: this,
      provider: cluster.provider,
      dependsOn: [namespace],
    });
    this.registerOutputs({});
  }
}
