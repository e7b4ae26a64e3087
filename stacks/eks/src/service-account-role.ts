import { serviceAccountTrustPolicy } from '@glyco/infra';
import * as pulumi from '@pulumi/pulumi';
import type { FargateCluster } from './cluster.ts';

/** The trust policy of a role that one Kubernetes service account of the cluster assumes (IRSA), as JSON. */
export function serviceAccountRoleTrust(
  cluster: FargateCluster,
  namespace: string,
  serviceAccount: string,
): pulumi.Output<string> {
  return pulumi
    .all([cluster.oidcProviderArn, cluster.issuer])
    .apply(([providerArn, issuerUrl]) =>
      JSON.stringify(serviceAccountTrustPolicy({ providerArn, issuerUrl, namespace, serviceAccount })),
    );
}
