import * as pulumi from '@pulumi/pulumi';
import type { Environment } from './environment.ts';
import { type ImageReference, parseImageReference } from './image.ts';
import type { PlatformReference } from './platform-outputs.ts';

export const APP_PORT = 8080;
export const LIVENESS_PATH = '/health';
export const READINESS_PATH = '/ready';
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The settings every target stack (lambda, ecs, eks) reads from its config; each key is in the README. */
export interface WorkloadConfig {
  /** Pulumi organization that owns the platform stack (`<org>/glyco-platform/<env>`). */
  org: string;
  image: ImageReference;
  /** `<model name>@<alias or version>` in the registry bucket, e.g. `pima-diabetes@production`. */
  model: string;
  logLevel: LogLevel;
  ortIntraOpThreads: number;
  /** Retention of the target's log groups. */
  logRetentionDays: number;
}

const MODEL = /^[a-z0-9][a-z0-9-]*@[a-z0-9][a-z0-9.-]*$/;

export function readWorkloadConfig(config: pulumi.Config): WorkloadConfig {
  const model = config.get('model') ?? 'pima-diabetes@production';
  if (!MODEL.test(model)) {
    throw new Error(
      `Config "model" must look like <name>@<alias or version> (e.g. pima-diabetes@production); got "${model}".`,
    );
  }
  return {
    org: config.require('org'),
    image: parseImageReference(config.require('image')),
    model,
    logLevel: (config.get('logLevel', { allowedValues: [...LOG_LEVELS] }) ?? 'info') as LogLevel,
    ortIntraOpThreads: config.getNumber('ortIntraOpThreads', { min: 1, max: 16 }) ?? 1,
    logRetentionDays: config.getNumber('logRetentionDays', { min: 1, max: 3653 }) ?? 30,
  };
}

/** How the node server is started from the shared image on ECS and EKS (Lambda keeps the image's handler). */
export interface ServerCommand {
  command: string[];
  workingDirectory: string;
}

export function readServerCommand(config: pulumi.Config): ServerCommand {
  const command = config.getObject<unknown>('command') ?? ['node', 'dist/server.mjs'];
  if (
    !Array.isArray(command) ||
    command.length === 0 ||
    !command.every((part) => typeof part === 'string' && part)
  ) {
    throw new Error(
      'Config "command" must be a non-empty list of strings, e.g. ["node", "dist/server.mjs"].',
    );
  }
  const workingDirectory = config.get('workingDirectory') ?? '/app';
  if (!workingDirectory.startsWith('/')) {
    throw new Error(`Config "workingDirectory" must be an absolute path; got "${workingDirectory}".`);
  }
  return { command, workingDirectory };
}

export interface AppEnvironmentInputs {
  modelBucketName: string;
  model: string;
  databaseSecretArn: string;
  /** The RDS endpoint (ECS, EKS) or the RDS Proxy endpoint (Lambda). */
  databaseHost: string;
  databasePort: number;
  /** The RDS-managed master secret names no database, so without this the app would log to `postgres`. */
  databaseName: string;
  logLevel: LogLevel;
  ortIntraOpThreads: number;
}

export const APP_ENVIRONMENT_KEYS = [
  'MODEL_URI',
  'DATABASE_SECRET_ARN',
  'DATABASE_HOST',
  'DATABASE_PORT',
  'DATABASE_NAME',
  'LOG_LEVEL',
  'PORT',
  'ORT_INTRA_OP_THREADS',
] as const;
export type AppEnvironment = Record<(typeof APP_ENVIRONMENT_KEYS)[number], string>;

/** The environment variables the app reads at startup (its typed config module fails fast on a bad one). */
export function appEnvironment(inputs: AppEnvironmentInputs): AppEnvironment {
  return {
    MODEL_URI: `s3://${inputs.modelBucketName}/models/${inputs.model}`,
    DATABASE_SECRET_ARN: inputs.databaseSecretArn,
    DATABASE_HOST: inputs.databaseHost,
    DATABASE_PORT: String(inputs.databasePort),
    DATABASE_NAME: inputs.databaseName,
    LOG_LEVEL: inputs.logLevel,
    PORT: String(APP_PORT),
    ORT_INTRA_OP_THREADS: String(inputs.ortIntraOpThreads),
  };
}

/** The ACM certificate for a public HTTPS endpoint: optional in dev, required in prod. */
export function readCertificateArn(config: pulumi.Config, env: Environment): string | undefined {
  const certificateArn = config.get('certificateArn', {
    pattern: /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\//,
  });
  if (env === 'prod' && !certificateArn) {
    throw new Error('Config "certificateArn" is required in prod: the public API must be served over HTTPS.');
  }
  return certificateArn;
}

/** Checks a pair of autoscaling bounds read under their own keys: `[key, value]` for the minimum and the maximum. */
export function scalingBounds(min: [key: string, value: number], max: [key: string, value: number]) {
  if (max[1] < min[1]) {
    throw new Error(`Config "${max[0]}" (${max[1]}) must be at least "${min[0]}" (${min[1]}).`);
  }
  return { min: min[1], max: max[1] };
}

/** The app's environment on a target, from the platform outputs and the target's workload config. */
export function workloadEnvironment(
  platform: PlatformReference,
  settings: Pick<WorkloadConfig, 'model' | 'logLevel' | 'ortIntraOpThreads'>,
  databaseHost: pulumi.Output<string>,
): pulumi.Output<AppEnvironment> {
  return pulumi
    .all([
      platform.modelBucketName,
      platform.databaseSecretArn,
      databaseHost,
      platform.databasePort,
      platform.databaseName,
    ])
    .apply(([modelBucketName, databaseSecretArn, host, databasePort, databaseName]) =>
      appEnvironment({
        modelBucketName,
        model: settings.model,
        databaseSecretArn,
        databaseHost: host,
        databasePort,
        databaseName,
        logLevel: settings.logLevel,
        ortIntraOpThreads: settings.ortIntraOpThreads,
      }),
    );
}

/** What the app reads, as the workload roles take it: the platform's model registry and database secret. */
export function appAccessOf(platform: PlatformReference) {
  return {
    modelBucketArn: platform.modelBucketArn,
    databaseSecretArn: platform.databaseSecretArn,
    databaseKmsKeyArn: platform.databaseKmsKeyArn,
    region: platform.region,
  };
}
