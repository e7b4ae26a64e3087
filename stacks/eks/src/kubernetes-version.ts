import * as aws from '@pulumi/aws';

/**
 * Refuses, before anything changes, a `kubernetesVersion` that EKS cannot take from the version the cluster runs:
 * an older one, because EKS never downgrades ("You cannot downgrade the Kubernetes of an Amazon EKS cluster"),
 * and one more than a minor version ahead, because EKS upgrades one minor version at a time (EKS user guide,
 * https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html). The first happens without anyone
 * touching the config: under the `STANDARD` upgrade policy EKS upgrades the cluster itself when its version
 * leaves standard support (https://docs.aws.amazon.com/eks/latest/userguide/view-upgrade-policy.html), and the
 * next `pulumi up --refresh` would then ask for a downgrade halfway through a deploy. The live version is read
 * with the provider (eks:ListClusters, then eks:DescribeCluster: terraform-provider-aws
 * internal/service/eks/clusters_data_source.go and cluster_data_source.go), not from the stack's state, which
 * still holds the version of the last `up`. A cluster that does not exist yet takes any version.
 */
export async function requireReachableVersion(clusterName: string, configured: string): Promise<void> {
  const { names } = await aws.eks.getClusters();
  if (!names.includes(clusterName)) return;
  const { version: running } = await aws.eks.getCluster({ name: clusterName });
  const [from, to] = [minorOf(running), minorOf(configured)];
  if (to < from) {
    throw new Error(
      `Config "kubernetesVersion" (${configured}) is older than the ${running} that cluster ${clusterName} ` +
        `runs, and EKS cannot downgrade a cluster. EKS upgrades the cluster itself when its version leaves ` +
        `standard support (upgrade policy STANDARD). Set "kubernetesVersion" to "${running}" in this stack's ` +
        'committed Pulumi.<env>.yaml, check that the load balancer controller chart supports it ' +
        '(README, "Config keys"), and deploy again.',
    );
  }
  if (to > from + 1) {
    throw new Error(
      `Config "kubernetesVersion" (${configured}) is more than one minor version ahead of the ${running} that ` +
        `cluster ${clusterName} runs, and EKS upgrades one minor version at a time: set it to ` +
        `"1.${from + 1}" first, deploy, then go on.`,
    );
  }
}

/** The minor number of a `1.<minor>` Kubernetes version. */
function minorOf(version: string): number {
  const match = /^1\.(\d+)$/.exec(version);
  if (!match) throw new Error(`Kubernetes version "${version}" is not of the form 1.<minor>.`);
  return Number(match[1]);
}
