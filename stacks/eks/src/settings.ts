import {
  type Environment,
  readServerCommand,
  readWorkloadConfig,
  type ServerCommand,
  scalingBounds,
  type WorkloadConfig,
} from '@glyco/infra';
import {
  LOAD_BALANCER_NAME_HAS_NO_CERTIFICATE,
  type PublicDomainSettings,
  readPublicDomain,
  readWafSettings,
  type WafSettings,
} from '@glyco/infra/target';
import type * as pulumi from '@pulumi/pulumi';

/** Every config key the eks stack reads (documented in the README, "Deploy to AWS"). */
export interface EksSettings extends WorkloadConfig, ServerCommand {
  kubernetesVersion: string;
  endpointPublicAccess: boolean;
  /** Networks that may reach the public API endpoint (kubectl, the deploy pipeline). */
  publicAccessCidrs: string[];
  /** IAM roles, besides the deploy role, that administer the cluster (people who run `pulumi up` or kubectl). */
  clusterAdminArns: string[];
  minReplicas: number;
  maxReplicas: number;
  cpuTargetPercent: number;
  /** Pod CPU and memory (requests = limits); Fargate sizes the pod's micro-VM from them. */
  podCpu: string;
  podMemory: string;
  loadBalancerControllerChartVersion: string;
  /** The public HTTPS name; without one (dev only) the Ingress's ALB serves plain HTTP on its own name. */
  domain: PublicDomainSettings | undefined;
  /** Prod's ALB writes access logs to the platform's access-log bucket. */
  accessLogs: boolean;
  /** An AWS WAF web ACL in front of the load balancer. */
  waf: WafSettings;
}

/**
 * A Kubernetes version in EKS standard support: 1.35, released on EKS 2026-01-27, in standard support until
 * 2027-03-27 (1.34's ended 2026-12-02). EKS user guide, "Understand the Kubernetes version lifecycle on EKS".
 */
export const DEFAULT_KUBERNETES_VERSION = '1.35';

const IAM_ROLE = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;

export function readEksSettings(config: pulumi.Config, env: Environment): EksSettings {
  const endpointPublicAccess = config.getBoolean('endpointPublicAccess') ?? true;
  const publicAccessCidrs = config.getObject<unknown>('publicAccessCidrs') ?? ['0.0.0.0/0'];
  if (
    !Array.isArray(publicAccessCidrs) ||
    !publicAccessCidrs.every((c) => typeof c === 'string' && CIDR.test(c))
  ) {
    throw new Error('Config "publicAccessCidrs" must be a list of IPv4 CIDRs, e.g. ["203.0.113.0/24"].');
  }
  if (env === 'prod' && endpointPublicAccess && publicAccessCidrs.includes('0.0.0.0/0')) {
    throw new Error(
      'Config "publicAccessCidrs" must list the networks allowed to reach the prod cluster API (not 0.0.0.0/0), ' +
        'or set "endpointPublicAccess" to false.',
    );
  }
  const clusterAdminArns = config.getObject<unknown>('clusterAdminArns') ?? [];
  if (
    !Array.isArray(clusterAdminArns) ||
    !clusterAdminArns.every((arn) => typeof arn === 'string' && IAM_ROLE.test(arn))
  ) {
    throw new Error(
      'Config "clusterAdminArns" must be a list of IAM role ARNs (arn:aws:iam::<account>:role/<name>).',
    );
  }
  const replicas = scalingBounds(
    ['minReplicas', config.getNumber('minReplicas', { min: 1, max: 100 }) ?? 2],
    ['maxReplicas', config.getNumber('maxReplicas', { min: 1, max: 100 }) ?? 4],
  );
  return {
    ...readWorkloadConfig(config),
    ...readServerCommand(config),
    kubernetesVersion:
      config.get('kubernetesVersion', { pattern: /^1\.\d{2}$/ }) ?? DEFAULT_KUBERNETES_VERSION,
    endpointPublicAccess,
    publicAccessCidrs: publicAccessCidrs as string[],
    clusterAdminArns: clusterAdminArns as string[],
    minReplicas: replicas.min,
    maxReplicas: replicas.max,
    cpuTargetPercent: config.getNumber('cpuTargetPercent', { min: 10, max: 90 }) ?? 60,
    podCpu: config.get('podCpu', { pattern: /^\d+(m|\.\d+)?$/ }) ?? '500m',
    podMemory: config.get('podMemory', { pattern: /^\d+(Mi|Gi)$/ }) ?? '1Gi',
    loadBalancerControllerChartVersion:
      config.get('loadBalancerControllerChartVersion', { pattern: /^\d+\.\d+\.\d+$/ }) ?? '1.13.0',
    domain: readPublicDomain(
      config,
      env === 'prod' ? { required: LOAD_BALANCER_NAME_HAS_NO_CERTIFICATE } : {},
    ),
    accessLogs: env === 'prod',
    waf: readWafSettings(config, env),
  };
}
