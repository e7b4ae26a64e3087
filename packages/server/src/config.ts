import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isLogLevel, LOG_LEVELS, type LogLevel } from '@glyco/logger';
import { checkSecretArn, parseDatabaseUrl as parsePostgresUrl } from '@glyco/prediction-log';

/** Everything the app reads from its environment, read once at startup. */
export interface ServerConfig {
  port: number;
  /** The interface to listen on; `0.0.0.0` so the image answers on ECS and EKS. */
  host: string;
  /** `undefined` serves the bundled default model; otherwise a directory, a `file://` URL or a registry model. */
  modelUri: string | undefined;
  modelRegistry: ModelRegistryConfig;
  database: DatabaseConfig;
  logLevel: LogLevel;
  batching: BatchingConfig;
  /** onnxruntime sizes its pool from the host, not the container's CPU limit, so it is set explicitly. */
  ortIntraOpThreads: number;
  limits: RequestLimits;
  /** How long SIGTERM waits for in-flight requests before closing the remaining connections. */
  shutdownTimeoutMs: number;
}

export interface DatabaseConfig {
  /** `undefined`: embedded PGlite in a local data dir; `'off'`: no prediction log; else a postgres:// URL. */
  url: undefined | 'off' | string;
  /** RDS credentials in AWS Secrets Manager (the RDS-managed master secret). */
  secretArn: string | undefined;
  /** Database host (an RDS Proxy endpoint on Lambda) used with `secretArn`; overrides the URL's. */
  host: string | undefined;
  /** Overrides the URL's (and the secret's) port and database name. */
  port: number | undefined;
  name: string | undefined;
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

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;
type Parse<T> = (raw: string) => T;

/** Parses a whole number in [min, max]; the message says what was expected. */
export function integerIn(min: number, max: number): Parse<number> {
  return (raw) => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new Error(`must be a whole number from ${min} to ${max}`);
    }
    return value;
  };
}

/** Parses a number of seconds in [min, max], decimals allowed, into whole milliseconds. */
export function secondsIn(min: number, max: number): Parse<number> {
  return (raw) => {
    const value = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw.trim()) || value < min || value > max) {
      throw new Error(`must be a number of seconds from ${min} to ${max}`);
    }
    return Math.round(value * 1000);
  };
}

/** 0 asks the system for any free port (the listening log line says which). */
export const parsePort = integerIn(0, 65_535);

/** `off`, or a URL the prediction log can use: the log's own parser decides, so a bad one fails here. */
function parseDatabaseUrl(raw: string): string {
  if (raw !== 'off') parsePostgresUrl(raw);
  return raw;
}

function parseSecretArn(raw: string): string {
  checkSecretArn(raw);
  return raw;
}

export function parseHost(raw: string): string {
  if (!/^[A-Za-z0-9.:-]+$/.test(raw)) throw new Error('must be a host name or an IP address');
  return raw;
}

function parseLogLevel(raw: string): LogLevel {
  if (!isLogLevel(raw)) throw new Error(`must be one of ${LOG_LEVELS.join(', ')}`);
  return raw;
}

function nonBlank(raw: string): string {
  if (raw.trim() === '') throw new Error('must not be empty');
  return raw;
}

const DATABASE_VARIABLES = {
  secretArn: 'DATABASE_SECRET_ARN',
  host: 'DATABASE_HOST',
  port: 'DATABASE_PORT',
  name: 'DATABASE_NAME',
} as const;

/**
 * Reads the configuration from environment variables. Every bad value is reported at once, by name, in one
 * ConfigError: the process fails fast at startup instead of misbehaving later.
 */
export function loadConfig(env: Env = process.env): ServerConfig {
  const problems: string[] = [];
  function read<T>(name: string, parse: Parse<T>, fallback: T): T {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    try {
      return parse(raw);
    } catch (error) {
      const { message } = error as Error;
      // The prediction log's own parsers name the variable already.
      problems.push(message.startsWith(name) ? message : `${name} ${message}`);
      return fallback;
    }
  }

  const config: ServerConfig = {
    port: read('PORT', parsePort, 8080),
    host: read('HOST', parseHost, '0.0.0.0'),
    modelUri: read<string | undefined>('MODEL_URI', nonBlank, undefined),
    modelRegistry: {
      cacheDir: read('MODEL_CACHE_DIR', (raw) => resolve(nonBlank(raw)), join(tmpdir(), 'glyco-models')),
      pollIntervalMs: read('MODEL_POLL_INTERVAL_SECONDS', secondsIn(0.1, 3600), 30_000),
    },
    database: {
      url: read<string | undefined>('DATABASE_URL', parseDatabaseUrl, undefined),
      secretArn: read<string | undefined>('DATABASE_SECRET_ARN', parseSecretArn, undefined),
      host: read<string | undefined>('DATABASE_HOST', parseHost, undefined),
      port: read<number | undefined>('DATABASE_PORT', integerIn(1, 65_535), undefined),
      name: read<string | undefined>('DATABASE_NAME', nonBlank, undefined),
    },
    logLevel: read('LOG_LEVEL', parseLogLevel, 'info'),
    batching: {
      maxBatchRows: read('BATCH_MAX_ROWS', integerIn(1, 1_000_000), 4096),
      maxWaitMs: read('BATCH_MAX_WAIT_MS', integerIn(0, 1000), 0),
    },
    ortIntraOpThreads: read('ORT_INTRA_OP_THREADS', integerIn(1, 256), 1),
    limits: {
      maxBodyBytes: read('MAX_BODY_BYTES', integerIn(1024, 64 * 1024 * 1024), 1024 * 1024),
      maxInstances: read('MAX_INSTANCES', integerIn(1, 100_000), 1000),
    },
    shutdownTimeoutMs: read('SHUTDOWN_TIMEOUT_MS', integerIn(0, 600_000), 10_000),
  };
  const { url, secretArn, host, port, name } = config.database;
  if (url === 'off' && (secretArn || host || port || name)) {
    const set = Object.entries({ secretArn, host, port, name }).filter(([, value]) => value !== undefined);
    const names = set.map(([key]) => DATABASE_VARIABLES[key as keyof typeof DATABASE_VARIABLES]);
    problems.push(
      `${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} set but DATABASE_URL=off disables the prediction log`,
    );
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  return config;
}
