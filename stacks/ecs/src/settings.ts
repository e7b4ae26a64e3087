import {
  type Environment,
  readFargateSize,
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

/** Every config key the ecs stack reads (documented in the README, "Deploy to AWS"). */
export interface EcsSettings extends WorkloadConfig, ServerCommand {
  cpu: number;
  memoryMb: number;
  minTasks: number;
  maxTasks: number;
  cpuTargetPercent: number;
  requestsPerTargetPerMinute: number;
  /** The public HTTPS name; without one (dev only) the load balancer serves plain HTTP on its own name. */
  domain: PublicDomainSettings | undefined;
  /** Prod's load balancer writes access logs to the platform's access-log bucket. */
  accessLogs: boolean;
  /** An AWS WAF web ACL in front of the load balancer. */
  waf: WafSettings;
}

export function readEcsSettings(config: pulumi.Config, env: Environment): EcsSettings {
  const { cpu, memoryMb } = readFargateSize(
    config,
    { cpu: 'cpu', memoryMb: 'memoryMb' },
    { cpu: 512, memoryMb: 1024 },
  );
  const tasks = scalingBounds(
    ['minTasks', config.getNumber('minTasks', { min: 1, max: 100 }) ?? 1],
    ['maxTasks', config.getNumber('maxTasks', { min: 1, max: 100 }) ?? 4],
  );
  return {
    ...readWorkloadConfig(config),
    ...readServerCommand(config),
    cpu,
    memoryMb,
    minTasks: tasks.min,
    maxTasks: tasks.max,
    cpuTargetPercent: config.getNumber('cpuTargetPercent', { min: 10, max: 90 }) ?? 60,
    requestsPerTargetPerMinute: config.getNumber('requestsPerTargetPerMinute', { min: 10 }) ?? 1000,
    domain: readPublicDomain(
      config,
      env === 'prod' ? { required: LOAD_BALANCER_NAME_HAS_NO_CERTIFICATE } : {},
    ),
    accessLogs: env === 'prod',
    waf: readWafSettings(config, env),
  };
}
