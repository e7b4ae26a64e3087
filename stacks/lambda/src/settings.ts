import { readWorkloadConfig, type WorkloadConfig } from '@glyco/infra';
import { type PublicDomainSettings, readPublicDomain } from '@glyco/infra/target';
import type * as pulumi from '@pulumi/pulumi';

/** Every config key the lambda stack reads (documented in the README, "Deploy to AWS"). */
export interface LambdaSettings extends WorkloadConfig {
  memoryMb: number;
  timeoutSeconds: number;
  /** Concurrency reserved for (and capping) the function; none by default (see concurrency.ts). */
  reservedConcurrency: number | undefined;
  provisionedConcurrency: number;
  throttleRatePerSecond: number;
  throttleBurst: number;
  /** Alarm when the 99th percentile duration exceeds this many milliseconds. */
  alarmP99DurationMs: number;
  /** Alarm when a 5-minute window has at least this many errors. */
  alarmErrors: number;
  /** SNS topic notified by the alarms (optional). */
  alarmTopicArn: string | undefined;
  /** A custom domain for the API; without one it answers on its execute-api name (AWS's certificate). */
  domain: PublicDomainSettings | undefined;
}

export function readLambdaSettings(config: pulumi.Config): LambdaSettings {
  const timeoutSeconds = config.getNumber('timeoutSeconds', { min: 3, max: 900 }) ?? 15;
  const reservedConcurrency = config.getNumber('reservedConcurrency', { min: 1, max: 100_000 });
  const provisionedConcurrency = config.getNumber('provisionedConcurrency', { min: 0, max: 100_000 }) ?? 0;
  if (reservedConcurrency !== undefined && provisionedConcurrency > reservedConcurrency) {
    throw new Error(
      `Config "provisionedConcurrency" (${provisionedConcurrency}) cannot exceed "reservedConcurrency" (${reservedConcurrency}).`,
    );
  }
  return {
    ...readWorkloadConfig(config),
    // ORT needs headroom beyond the model; 1769 MB is one full vCPU.
    memoryMb: config.getNumber('memoryMb', { min: 512, max: 10240 }) ?? 2048,
    timeoutSeconds,
    reservedConcurrency,
    provisionedConcurrency,
    throttleRatePerSecond: config.getNumber('throttleRatePerSecond', { min: 1, max: 10000 }) ?? 50,
    throttleBurst: config.getNumber('throttleBurst', { min: 1, max: 5000 }) ?? 100,
    alarmP99DurationMs:
      config.getNumber('alarmP99DurationMs', { min: 10, max: timeoutSeconds * 1000 }) ?? timeoutSeconds * 800,
    alarmErrors: config.getNumber('alarmErrors', { min: 1 }) ?? 5,
    alarmTopicArn: config.get('alarmTopicArn', { pattern: /^arn:aws[a-z-]*:sns:/ }),
    domain: readPublicDomain(config),
  };
}
