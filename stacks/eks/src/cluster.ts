import {
  clusterSecretsKeyPolicy,
  eksClusterTrustPolicy,
  eksFargatePodExecutionTrustPolicy,
  logWritePolicy,
  type PlatformReference,
  type Tags,
} from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { kubeconfig } from './kubeconfig.ts';
import { APP_NAMESPACE } from './manifests.ts';
import type { EksSettings } from './settings.ts';

export const CLUSTER_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

/** The cluster's name, `glyco-<env>-eks`: fixed, since its control-plane log group is named after it. */
export const clusterNameOf = (named: (purpose: string) => string) => named('eks');

export interface ClusterArgs {
  name: (purpose: string) => string;
  tags: Tags;
  platform: PlatformReference;
  /** Refuse to delete or replace the secrets key (prod): without it the cluster cannot be recovered. */
  protect: boolean;
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
 * stream on, standard support only (at its end EKS upgrades the cluster instead of billing extended support),
 * cluster access for the deploy role and the configured administrators, read access for the platform's preview
 * role and network access to the API for its deploy runner (when the platform has them), Fargate profiles for
 * kube-system and the app namespace, CoreDNS on Fargate, the OIDC provider that service accounts' IAM roles
 * (IRSA) trust, and the Kubernetes provider that reaches it.
 */
export class FargateCluster extends pulumi.ComponentResource {
  readonly clusterName: pulumi.Output<string>;
  readonly issuer: pulumi.Output<string>;
  readonly oidcProviderArn: pulumi.Output<string>;
  readonly clusterSecurityGroupId: pulumi.Output<string>;
  readonly appLogGroup: pulumi.Output<string>;
  /** The Kubernetes API of this cluster, as the deploy role (`aws eks get-token`). */
  readonly provider: k8s.Provider;
  /** What must exist before anything is deployed into the cluster: access, CoreDNS, metrics. */
  readonly systemReady: pulumi.Resource[];
  /** The Fargate profile that runs the app namespace's pods. */
  readonly appProfile: aws.eks.FargateProfile;

  constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:eks:FargateCluster', name, {}, opts);
    const parent = { parent: this };
    const { name: named, tags, platform, settings } = args;
    const clusterName = clusterNameOf(named);
    // KMS's default key policy: the account's IAM policies decide who may use it (the cluster role, below).
    const secretsKey = new aws.kms.Key(
      named('eks-secrets'),
      {
        description: `${clusterName}: envelope encryption of Kubernetes secrets`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags,
      },
      { ...parent, protect: args.protect },
    );
    // EKS may assume the service roles only for this cluster of this account (confused-deputy guard).
    const trustFor = (policy: typeof eksClusterTrustPolicy) =>
      pulumi
        .all([platform.accountId, platform.region])
        .apply(([accountId, region]) => JSON.stringify(policy({ accountId, region, clusterName })));
    const clusterRole = new aws.iam.Role(
      named('eks-cluster'),
      {
        name: named('eks-cluster'),
        assumeRolePolicy: trustFor(eksClusterTrustPolicy),
        permissionsBoundary: platform.workloadBoundaryArn,
        tags,
      },
      parent,
    );
    const clusterPolicy = new aws.iam.RolePolicyAttachment(
      named('eks-cluster'),
      { role: clusterRole.name, policyArn: 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy' },
      parent,
    );
    const secretsKeyUse = new aws.iam.RolePolicy(
      named('eks-cluster-secrets-key'),
      {
        role: clusterRole.id,
        policy: secretsKey.arn.apply((keyArn) => JSON.stringify(clusterSecretsKeyPolicy(keyArn))),
      },
      parent,
    );
    // EKS writes control-plane logs here; creating it first gives it a retention. The cluster keeps its fixed
    // name because this group must be named after it (/aws/eks/<cluster>/cluster).
    const controlPlaneLogs = new aws.cloudwatch.LogGroup(
      named('eks-control-plane'),
      { name: `/aws/eks/${clusterName}/cluster`, retentionInDays: settings.logRetentionDays, tags },
      parent,
    );
    const cluster = new aws.eks.Cluster(
      clusterName,
      {
        name: clusterName,
        version: settings.kubernetesVersion,
        upgradePolicy: { supportType: 'STANDARD' },
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
      { ...parent, dependsOn: [clusterPolicy, secretsKeyUse, controlPlaneLogs] },
    );

    // One access entry and one cluster-wide access policy per principal (EKS user guide, "Grant IAM users access
    // to Kubernetes with EKS access entries"; what each policy allows: "Review access policy permissions").
    const grant = (purpose: string, principalArn: pulumi.Input<string>, accessPolicy: string) => {
      const entry = new aws.eks.AccessEntry(
        named(purpose),
        { clusterName: cluster.name, principalArn, type: 'STANDARD', tags },
        parent,
      );
      return new aws.eks.AccessPolicyAssociation(
        named(purpose),
        {
          clusterName: cluster.name,
          principalArn: entry.principalArn,
          policyArn: `arn:aws:eks::aws:cluster-access-policy/${accessPolicy}`,
          accessScope: { type: 'cluster' },
        },
        parent,
      );
    };
    const admins = [platform.deployRoleArn, ...settings.clusterAdminArns].map((principalArn, index) =>
      grant(`eks-admin-${index}`, principalArn, 'AmazonEKSClusterAdminPolicy'),
    );
    // Pull requests preview with the platform's read-only role: the Kubernetes provider's preview reads the API.
    if (platform.previewRoleArn) grant('eks-preview', platform.previewRoleArn, 'AmazonEKSViewPolicy');

    const podExecutionRole = new aws.iam.Role(
      named('eks-pod-execution'),
      {
        name: named('eks-pod-execution'),
        assumeRolePolicy: trustFor(eksFargatePodExecutionTrustPolicy),
        permissionsBoundary: platform.workloadBoundaryArn,
        tags,
      },
      parent,
    );
    new aws.iam.RolePolicyAttachment(
      named('eks-pod-execution'),
      {
        role: podExecutionRole.name,
        policyArn: 'arn:aws:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy',
      },
      parent,
    );
    const appLogs = new aws.cloudwatch.LogGroup(
      named('eks-app'),
      { name: `/aws/eks/${clusterName}/app`, retentionInDays: settings.logRetentionDays, tags },
      parent,
    );
    new aws.iam.RolePolicy(
      named('eks-pod-logs'),
      { role: podExecutionRole.id, policy: appLogs.arn.apply((arn) => JSON.stringify(logWritePolicy(arn))) },
      parent,
    );

    // Fargate profiles are immutable: a changed selector or subnet replaces the profile, so it takes a
    // generated name (EKS user guide, "Define which Pods use AWS Fargate": "Fargate profiles are immutable").
    const profile = (purpose: string, namespace: string) =>
      new aws.eks.FargateProfile(
        named(purpose),
        {
          clusterName: cluster.name,
          podExecutionRoleArn: podExecutionRole.arn,
          subnetIds: platform.privateSubnetIds,
          selectors: [{ namespace }],
          tags,
        },
        parent,
      );
    const systemProfile = profile('fargate-system', 'kube-system');
    this.appProfile = profile('fargate-app', APP_NAMESPACE);

    const addon = (addonName: string, configurationValues?: object) =>
      new aws.eks.Addon(
        named(`addon-${addonName}`),
        {
          clusterName: cluster.name,
          addonName,
          configurationValues: configurationValues && JSON.stringify(configurationValues),
          resolveConflictsOnCreate: 'OVERWRITE',
          resolveConflictsOnUpdate: 'OVERWRITE',
          tags,
        },
        { ...parent, dependsOn: [systemProfile] },
      );
    // Without computeType Fargate, CoreDNS waits for EC2 nodes that never come.
    const coreDns = addon('coredns', { computeType: 'Fargate' });
    // The HorizontalPodAutoscaler's CPU metrics.
    const metricsServer = addon('metrics-server');

    this.issuer = cluster.identities.apply((identities) => {
      const url = identities[0]?.oidcs?.[0]?.issuer;
      if (!url) throw new Error(`EKS cluster ${clusterName} reported no OIDC issuer.`);
      return url;
    });
    const oidcProvider = new aws.iam.OpenIdConnectProvider(
      named('eks-oidc'),
      { url: this.issuer, clientIdLists: ['sts.amazonaws.com'], tags },
      parent,
    );

    this.provider = new k8s.Provider(
      named('eks'),
      {
        kubeconfig: pulumi
          .all([cluster.name, cluster.endpoint, cluster.certificateAuthority, platform.region])
          .apply(([name, endpoint, authority, region]) =>
            kubeconfig({ clusterName: name, endpoint, certificateAuthority: authority.data ?? '', region }),
          ),
        enableServerSideApply: true,
      },
      parent,
    );
    this.clusterName = cluster.name;
    this.oidcProviderArn = oidcProvider.arn;
    this.clusterSecurityGroupId = cluster.vpcConfig.apply((config) => {
      if (!config.clusterSecurityGroupId)
        throw new Error(`EKS cluster ${clusterName} reported no cluster security group.`);
      return config.clusterSecurityGroupId;
    });
    this.appLogGroup = appLogs.name;
    const runnerAccess = this.#admitDeployRunner(named, platform, tags);
    this.systemReady = [systemProfile, coreDns, metricsServer, ...admins, ...runnerAccess];
    this.registerOutputs({ clusterName: this.clusterName });
  }

  /**
   * The platform's CodeBuild deploy runner, when it has one, may reach the API on 443: a private endpoint admits
   * only what the control plane's security group admits, and EKS puts the cluster security group on the control
   * plane's network interfaces (EKS user guide, "Cluster API server endpoint", "Accessing a private only API
   * server"; "View Amazon EKS security group requirements for clusters").
   */
  #admitDeployRunner(
    named: ClusterArgs['name'],
    platform: PlatformReference,
    tags: Tags,
  ): aws.vpc.SecurityGroupIngressRule[] {
    const runnerGroup = platform.deployRunnerSecurityGroupId;
    if (!runnerGroup) return [];
    const rule = new aws.vpc.SecurityGroupIngressRule(
      named('eks-api-from-deploy-runner'),
      {
        securityGroupId: this.clusterSecurityGroupId,
        referencedSecurityGroupId: runnerGroup,
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        description: 'Kubernetes API from the CodeBuild deploy runner',
        tags,
      },
      { parent: this },
    );
    return [rule];
  }
}
