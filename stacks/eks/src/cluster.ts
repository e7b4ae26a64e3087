import {
  eksClusterTrustPolicy,
  eksFargatePodExecutionTrustPolicy,
  logWritePolicy,
  type PlatformReference,
  type Tags,
} from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { APP_NAMESPACE } from './manifests.ts';
import type { EksSettings } from './settings.ts';

export const CLUSTER_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

interface ClusterArgs {
  name: (purpose: string) => string;
  tags: Tags;
  platform: PlatformReference;
  settings: Pick<
    EksSettings,
    | 'kubernetesVersion'
    | 'endpointPublicAccess'
    | 'publicAccessCidrs'
    | 'logRetentionDays'
    | 'clusterAdminArns'
  >;
}

/**
 * An EKS control plane with Fargate only: secrets encrypted with its own KMS key, every control-plane log
 * stream on, Fargate profiles for kube-system and the app namespace, CoreDNS on Fargate, and the OIDC
 * provider that service accounts' IAM roles (IRSA) trust.
 */
export function fargateCluster({ name, tags, platform, settings }: ClusterArgs) {
  const clusterName = name('eks');
  const secretsKey = new aws.kms.Key(name('eks-secrets'), {
    description: `${clusterName}: envelope encryption of Kubernetes secrets`,
    enableKeyRotation: true,
    deletionWindowInDays: 30,
    tags,
  });
  // EKS may assume the service roles only for this cluster of this account (confused-deputy guard).
  const trustFor = (policy: typeof eksClusterTrustPolicy) =>
    pulumi
      .all([platform.accountId, platform.region])
      .apply(([accountId, region]) => JSON.stringify(policy({ accountId, region, clusterName })));
  const clusterRole = new aws.iam.Role(name('eks-cluster'), {
    name: name('eks-cluster'),
    assumeRolePolicy: trustFor(eksClusterTrustPolicy),
    permissionsBoundary: platform.workloadBoundaryArn,
    tags,
  });
  const clusterPolicy = new aws.iam.RolePolicyAttachment(name('eks-cluster'), {
    role: clusterRole.name,
    policyArn: 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy',
  });
  // EKS writes control-plane logs here; creating it first gives it a retention.
  const controlPlaneLogs = new aws.cloudwatch.LogGroup(name('eks-control-plane'), {
    name: `/aws/eks/${clusterName}/cluster`,
    retentionInDays: settings.logRetentionDays,
    tags,
  });
  const cluster = new aws.eks.Cluster(
    clusterName,
    {
      name: clusterName,
      version: settings.kubernetesVersion,
      roleArn: clusterRole.arn,
      vpcConfig: {
        subnetIds: platform.privateSubnetIds,
        endpointPrivateAccess: true,
        endpointPublicAccess: settings.endpointPublicAccess,
        publicAccessCidrs: settings.endpointPublicAccess ? settings.publicAccessCidrs : undefined,
      },
      encryptionConfig: { provider: { keyArn: secretsKey.arn }, resources: ['secrets'] },
      enabledClusterLogTypes: CLUSTER_LOG_TYPES,
      // Access is granted explicitly below, so it does not depend on who ran the first `pulumi up`.
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false },
      tags,
    },
    { dependsOn: [clusterPolicy, controlPlaneLogs] },
  );

  const admins = [platform.deployRoleArn, ...settings.clusterAdminArns].map((principalArn, index) => {
    const entry = new aws.eks.AccessEntry(name(`eks-admin-${index}`), {
      clusterName: cluster.name,
      principalArn,
      type: 'STANDARD',
      tags,
    });
    return new aws.eks.AccessPolicyAssociation(name(`eks-admin-${index}`), {
      clusterName: cluster.name,
      principalArn: entry.principalArn,
      policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
      accessScope: { type: 'cluster' },
    });
  });

  const podExecutionRole = new aws.iam.Role(name('eks-pod-execution'), {
    name: name('eks-pod-execution'),
    assumeRolePolicy: trustFor(eksFargatePodExecutionTrustPolicy),
    permissionsBoundary: platform.workloadBoundaryArn,
    tags,
  });
  new aws.iam.RolePolicyAttachment(name('eks-pod-execution'), {
    role: podExecutionRole.name,
    policyArn: 'arn:aws:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy',
  });
  const appLogs = new aws.cloudwatch.LogGroup(name('eks-app'), {
    name: `/aws/eks/${clusterName}/app`,
    retentionInDays: settings.logRetentionDays,
    tags,
  });
  new aws.iam.RolePolicy(name('eks-pod-logs'), {
    role: podExecutionRole.id,
    policy: appLogs.arn.apply((arn) => JSON.stringify(logWritePolicy(arn))),
  });

  const profile = (purpose: string, namespace: string) =>
    new aws.eks.FargateProfile(name(purpose), {
      clusterName: cluster.name,
      fargateProfileName: name(purpose),
      podExecutionRoleArn: podExecutionRole.arn,
      subnetIds: platform.privateSubnetIds,
      selectors: [{ namespace }],
      tags,
    });
  const systemProfile = profile('fargate-system', 'kube-system');
  const appProfile = profile('fargate-app', APP_NAMESPACE);

  const addon = (addonName: string, configurationValues?: object) =>
    new aws.eks.Addon(
      name(`addon-${addonName}`),
      {
        clusterName: cluster.name,
        addonName,
        configurationValues: configurationValues && JSON.stringify(configurationValues),
        resolveConflictsOnCreate: 'OVERWRITE',
        resolveConflictsOnUpdate: 'OVERWRITE',
        tags,
      },
      { dependsOn: [systemProfile] },
    );
  // Without computeType Fargate, CoreDNS waits for EC2 nodes that never come.
  const coreDns = addon('coredns', { computeType: 'Fargate' });
  // The HorizontalPodAutoscaler's CPU metrics.
  const metricsServer = addon('metrics-server');

  const issuer = cluster.identities.apply((identities) => {
    const url = identities[0]?.oidcs?.[0]?.issuer;
    if (!url) throw new Error(`EKS cluster ${clusterName} reported no OIDC issuer.`);
    return url;
  });
  const oidcProvider = new aws.iam.OpenIdConnectProvider(name('eks-oidc'), {
    url: issuer,
    clientIdLists: ['sts.amazonaws.com'],
    tags,
  });

  return {
    cluster,
    clusterName: cluster.name,
    issuer,
    oidcProviderArn: oidcProvider.arn,
    clusterSecurityGroupId: cluster.vpcConfig.apply((config) => {
      if (!config.clusterSecurityGroupId)
        throw new Error(`EKS cluster ${clusterName} reported no cluster security group.`);
      return config.clusterSecurityGroupId;
    }),
    appLogGroup: appLogs.name,
    appProfile,
    /** What must exist before anything is deployed into the cluster. */
    systemReady: [systemProfile, coreDns, metricsServer, ...admins],
  };
}
