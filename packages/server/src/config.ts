import {
  type DatabaseSettings,
  type Environment,
  type LogLevel,
  type PredictionLogDurability,
  readDatabaseSettings,
  readModelTrust,
  readSettings,
  type SettingsReader,
  type TrustedKeys,
} from '@glyco/contract';
import type { AuthSettings } from './auth/authenticator.ts';
import type { KeySource } from './auth/key-source.ts';
import type { ClientLimitSettings } from './limits/client-limits.ts';

/** Everything the app reads from its environment, read once at startup (the variables are @glyco/contract's). */
export interface ServerConfig {
  port: number;
  /** The interface to listen on; `0.0.0.0` so the image answers on ECS and EKS. */
  host: string;
  /** `undefined` serves the bundled default model; otherwise a directory, a `file://` URL or a registry model. */
  modelUri: string | undefined;
  modelRegistry: ModelRegistryConfig;
  /** The public keys a model's manifest must be signed by; undefined: models are not signature-checked. */
  modelTrust: TrustedKeys | undefined;
  database: DatabaseSettings;
  /** Whether an answer waits until its rows are durable (`strict`) or not (`buffered`). */
  predictionLogDurability: PredictionLogDurability;
  /** Whole months of predictions kept before the current month; undefined keeps them all. */
  predictionLogRetentionMonths: number | undefined;
  logLevel: LogLevel;
  batching: BatchingConfig;
  /** onnxruntime sizes its pool from the host, not the container's CPU limit, so it is set explicitly. */
  ortIntraOpThreads: number;
  limits: RequestLimits;
  /** How long SIGTERM waits for in-flight requests before closing the remaining connections. */
  shutdownTimeoutMs: number;
  /** API keys and OIDC; neither set: authentication is off. */
  auth: AuthSettings;
  /** Requests and rows per second per client, on each instance; unset: no limit. */
  clientLimits: ClientLimitSettings;
}

export interface ModelRegistryConfig {
  /** Where versions downloaded from an S3 registry are kept (under the temp dir: writable on Lambda and EKS). */
  cacheDir: string;
  /** How often an alias in `MODEL_URI` is polled for a new version. */
  pollIntervalMs: number;
}

export interface BatchingConfig {
  /** Rows per `session.run`; a single request larger than this still runs, alone. */
  maxBatchRows: number;
  /** Under load, how long a queued request may wait for companions; an idle batcher never waits. */
  maxWaitMs: number;
}

export interface RequestLimits {
  maxBodyBytes: number;
  maxInstances: number;
}

/**
 * Reads the configuration from environment variables. Every bad value is reported at once, by name, in one
 * ConfigError: the process fails fast at startup instead of misbehaving later.
 */
export function loadConfig(env: Environment = process.env): ServerConfig {
  return readSettings(env, (reader) => {
    const { read, refuse } = reader;
    const database = readDatabaseSettings(reader);
    const predictionLogDurability = read('PREDICTION_LOG_DURABILITY');
    if (database.url === 'off' && predictionLogDurability === 'strict') {
      refuse(
        'PREDICTION_LOG_DURABILITY=strict answers only logged predictions, but DATABASE_URL=off disables the log',
      );
    }
    return {
      port: read('PORT'),
      host: read('HOST'),
      modelUri: read('MODEL_URI'),
      modelRegistry: {
        cacheDir: read('MODEL_CACHE_DIR'),
        pollIntervalMs: read('MODEL_POLL_INTERVAL_SECONDS'),
      },
      modelTrust: readModelTrust(reader),
      database,
      predictionLogDurability,
      predictionLogRetentionMonths: read('PREDICTION_LOG_RETENTION_MONTHS'),
      logLevel: read('LOG_LEVEL'),
      batching: { maxBatchRows: read('BATCH_MAX_ROWS'), maxWaitMs: read('BATCH_MAX_WAIT_MS') },
      ortIntraOpThreads: read('ORT_INTRA_OP_THREADS'),
      limits: { maxBodyBytes: read('MAX_BODY_BYTES'), maxInstances: read('MAX_INSTANCES') },
      shutdownTimeoutMs: read('SHUTDOWN_TIMEOUT_MS'),
      auth: readAuthSettings(reader),
      clientLimits: readClientLimits(reader),
    };
  });
}

function readClientLimits({ read }: SettingsReader): ClientLimitSettings {
  const burstSeconds = read('RATE_LIMIT_BURST_SECONDS');
  const rate = (perSecond: number | undefined) =>
    perSecond === undefined ? undefined : { perSecond, burst: perSecond * burstSeconds };
  return {
    requests: rate(read('RATE_LIMIT_REQUESTS_PER_SECOND')),
    rows: rate(read('RATE_LIMIT_ROWS_PER_SECOND')),
  };
}

/** The API_KEYS* and OIDC_* variables: keys from one place at most, and an issuer only with its audience. */
function readAuthSettings({ read, refuse }: SettingsReader): AuthSettings {
  const sources: KeySource[] = [];
  const text = read('API_KEYS');
  const path = read('API_KEYS_FILE');
  const secretArn = read('API_KEYS_SECRET_ARN');
  if (text !== undefined) sources.push({ from: 'env', text });
  if (path !== undefined) sources.push({ from: 'file', path });
  if (secretArn !== undefined) sources.push({ from: 'secret', secretArn });
  if (sources.length > 1) refuse('set only one of API_KEYS, API_KEYS_FILE and API_KEYS_SECRET_ARN');
  const issuer = read('OIDC_ISSUER');
  const audience = read('OIDC_AUDIENCE');
  const jwksUrl = read('OIDC_JWKS_URL');
  const scopePrefix = read('OIDC_SCOPE_PREFIX') ?? '';
  if ((issuer === undefined) !== (audience === undefined)) {
    refuse(
      'OIDC_ISSUER and OIDC_AUDIENCE go together: a token is accepted for this API only when it names it',
    );
  }
  if (issuer === undefined && (jwksUrl !== undefined || scopePrefix !== '')) {
    refuse('OIDC_JWKS_URL and OIDC_SCOPE_PREFIX need OIDC_ISSUER');
  }
  return {
    keys: sources[0],
    keysReloadMs: read('API_KEYS_RELOAD_SECONDS'),
    oidc: issuer && audience ? { issuer, audience, jwksUrl, scopePrefix } : undefined,
  };
}
