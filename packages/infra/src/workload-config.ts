import {
  APP_PORT,
  type AppEnvironment,
  type AppVariable,
  formatModelUri,
  LOG_LEVELS,
  type LogLevel,
  parseModelSelector,
} from '@glyco/contract';
import * as pulumi from '@pulumi/pulumi';
import { type ImageReference, parseImageReference } from './image.ts';
import type { PlatformReference } from './platform-outputs.ts';

// The app's port and probe paths are the contract's: the stacks' load balancers and probes use these names.
export { APP_PORT, LIVENESS_PATH, READINESS_PATH } from '@glyco/contract';

/** The log levels a deployment may choose; a deployed app is never silent. */
export const DEPLOYED_LOG_LEVELS = LOG_LEVELS.filter((level) => level !== 'silent');
/** Where the platform's model registry keeps its models in the bucket. */
export const MODEL_REGISTRY_PREFIX = 'models';

/** The settings every target stack (lambda, ecs, eks) reads from its config; each key is in the README. */
export interface WorkloadConfig {
  /** Pulumi organization that owns the platform stack (`<org>/glyco-platform/<env>`). */
  org: string;
  image: ImageReference;
  /** `<model name>@<alias>` or `<model name>/<version>` in the registry bucket, e.g. `pima-diabetes@production`. */
  model: string;
  logLevel: LogLevel;
  ortIntraOpThreads: number;
  /** Retention of the target's log groups. */
  logRetentionDays: number;
  /** Bearer JWTs of this OIDC issuer are accepted beside the API keys; undefined: API keys only. */
  oidc: OidcConfig | undefined;
  /**
   * Serve only models signed with the platform's model signing key (default). Off only to migrate an environment
   * whose registry holds versions published before signing, until they are signed (`glyco sign`).
   */
  requireSignedModels: boolean;
}

export interface OidcConfig {
  issuer: string;
  audience: string;
  scopePrefix: string | undefined;
}

function readOidcConfig(config: pulumi.Config): OidcConfig | undefined {
  const issuer = config.get('oidcIssuer');
  const audience = config.get('oidcAudience');
  const scopePrefix = config.get('oidcScopePrefix');
  if (issuer === undefined && audience === undefined && scopePrefix === undefined) return undefined;
  if (!issuer?.startsWith('https://') || !audience) {
    throw new Error(
      'Config "oidcIssuer" (an https:// URL) and "oidcAudience" go together: tokens are accepted for this API only.',
    );
  }
  return { issuer, audience, scopePrefix };
}

export function readWorkloadConfig(config: pulumi.Config): WorkloadConfig {
  const model = config.get('model') ?? 'pima-diabetes@production';
  try {
    parseModelSelector(model);
  } catch (error) {
    throw new Error(
      `Config "model" must be <name>@<alias> or <name>/<version> (e.g. pima-diabetes@production): ${(error as Error).message}.`,
    );
  }
  return {
    org: config.require('org'),
    image: parseImageReference(config.require('image')),
    model,
    logLevel: (config.get('logLevel', { allowedValues: DEPLOYED_LOG_LEVELS }) ?? 'info') as LogLevel,
    ortIntraOpThreads: config.getNumber('ortIntraOpThreads', { min: 1, max: 16 }) ?? 1,
    logRetentionDays: config.getNumber('logRetentionDays', { min: 1, max: 3653 }) ?? 30,
    oidc: readOidcConfig(config),
    requireSignedModels: config.getBoolean('requireSignedModels') ?? true,
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
  apiKeysSecretArn: string;
  /** The platform's model signing key's public key: a model loads only if its manifest is signed by that key. */
  modelSigningPublicKeyPem: string | undefined;
  /** The RDS endpoint (ECS, EKS) or the RDS Proxy endpoint (Lambda). */
  databaseHost: string;
  databasePort: number;
  /** The RDS-managed master secret names no database, so without this the app would log to `postgres`. */
  databaseName: string;
  logLevel: LogLevel;
  ortIntraOpThreads: number;
  oidc: OidcConfig | undefined;
}

/** The variables every target sets: names of the app's settings contract (`APP_SETTINGS` in @glyco/contract). */
export const APP_ENVIRONMENT_KEYS = [
  'MODEL_URI',
  'DATABASE_SECRET_ARN',
  'DATABASE_HOST',
  'DATABASE_PORT',
  'DATABASE_NAME',
  'LOG_LEVEL',
  'PORT',
  'ORT_INTRA_OP_THREADS',
  'API_KEYS_SECRET_ARN',
  'MODEL_SIGNING_PUBLIC_KEY',
] as const satisfies readonly AppVariable[];
/**
 * The variables a target sets for these settings, every one known before deploying: a target that lists its
 * variables one by one (the eks stack's pod spec) sets the OIDC ones only when an issuer is configured.
 */
export function targetEnvironmentKeys(oidc: OidcConfig | undefined): (keyof TargetEnvironment)[] {
  if (!oidc) return [...APP_ENVIRONMENT_KEYS];
  return [
    ...APP_ENVIRONMENT_KEYS,
    'OIDC_ISSUER',
    'OIDC_AUDIENCE',
    ...(oidc.scopePrefix ? ['OIDC_SCOPE_PREFIX' as const] : []),
  ];
}

export type TargetEnvironment = Required<Pick<AppEnvironment, (typeof APP_ENVIRONMENT_KEYS)[number]>> &
  Pick<AppEnvironment, 'OIDC_ISSUER' | 'OIDC_AUDIENCE' | 'OIDC_SCOPE_PREFIX'>;

/** The environment variables the app reads at startup (its config module fails fast on a bad one). */
export function appEnvironment(inputs: AppEnvironmentInputs): TargetEnvironment {
  const registry = { kind: 's3', bucket: inputs.modelBucketName, prefix: MODEL_REGISTRY_PREFIX } as const;
  return {
    MODEL_URI: formatModelUri({ registry, ...parseModelSelector(inputs.model) }),
    DATABASE_SECRET_ARN: inputs.databaseSecretArn,
    DATABASE_HOST: inputs.databaseHost,
    DATABASE_PORT: String(inputs.databasePort),
    DATABASE_NAME: inputs.databaseName,
    LOG_LEVEL: inputs.logLevel,
    PORT: String(APP_PORT),
    ORT_INTRA_OP_THREADS: String(inputs.ortIntraOpThreads),
    // Authentication is on wherever a stack deploys the app: the keys come from the platform's secret.
    API_KEYS_SECRET_ARN: inputs.apiKeysSecretArn,
    // Signatures are required wherever a stack deploys the app: the pipeline signs with the platform's KMS key.
    // Empty (requireSignedModels false, to migrate) reads as unset: models are then not signature-checked.
    MODEL_SIGNING_PUBLIC_KEY: inputs.modelSigningPublicKeyPem ?? '',
    ...(inputs.oidc && {
      OIDC_ISSUER: inputs.oidc.issuer,
      OIDC_AUDIENCE: inputs.oidc.audience,
      ...(inputs.oidc.scopePrefix && { OIDC_SCOPE_PREFIX: inputs.oidc.scopePrefix }),
    }),
  };
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
  settings: Pick<WorkloadConfig, 'model' | 'logLevel' | 'ortIntraOpThreads' | 'oidc' | 'requireSignedModels'>,
  databaseHost: pulumi.Output<string>,
): pulumi.Output<TargetEnvironment> {
  return pulumi
    .all([
      platform.modelBucketName,
      platform.databaseSecretArn,
      databaseHost,
      platform.databasePort,
      platform.databaseName,
      platform.apiKeysSecretArn,
      platform.modelSigningPublicKeyPem,
    ])
    .apply(
      ([
        modelBucketName,
        databaseSecretArn,
        host,
        databasePort,
        databaseName,
        apiKeysSecretArn,
        signingKey,
      ]) =>
        appEnvironment({
          modelBucketName,
          model: settings.model,
          databaseSecretArn,
          apiKeysSecretArn,
          modelSigningPublicKeyPem: settings.requireSignedModels ? signingKey : undefined,
          databaseHost: host,
          databasePort,
          databaseName,
          logLevel: settings.logLevel,
          ortIntraOpThreads: settings.ortIntraOpThreads,
          oidc: settings.oidc,
        }),
    );
}

/** What the app reads, as the workload roles take it: the platform's model registry, database and API keys secrets. */
export function appAccessOf(platform: PlatformReference) {
  return {
    modelBucketArn: platform.modelBucketArn,
    databaseSecretArn: platform.databaseSecretArn,
    apiKeysSecretArn: platform.apiKeysSecretArn,
    databaseKmsKeyArn: platform.databaseKmsKeyArn,
    region: platform.region,
  };
}
