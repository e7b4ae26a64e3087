import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseTrustedKeys } from '../manifest-signature.ts';
import { checkModelUri } from '../model-uri.ts';
import { parseDatabaseUrl } from './database-url.ts';
import { secretRegion } from './secret-arn.ts';
import { hostName, integerIn, nonBlank, oneOf, type Parse, secondsIn } from './values.ts';

/** The port the app listens on unless `PORT` says otherwise. */
export const APP_PORT = 8080;
/** Liveness: the process answers (it never looks at a dependency). */
export const LIVENESS_PATH = '/health';
/** Readiness: a model is served and the server is not shutting down; 503 while it drains. */
export const READINESS_PATH = '/ready';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * `buffered`: an answer never waits for the prediction log (what is queued in memory is lost to a kill -9).
 * `strict`: an answer waits until its rows are in the database or fsync'd in the spool.
 */
export const PREDICTION_LOG_DURABILITIES = ['buffered', 'strict'] as const;
export type PredictionLogDurability = (typeof PREDICTION_LOG_DURABILITIES)[number];

/** One environment variable: how its text is read, and its value when it is unset or empty. */
export interface AppSetting<T> {
  parse: Parse<T>;
  fallback: T;
}

const setting = <T>(parse: Parse<T>, fallback: T): AppSetting<T> => ({ parse, fallback });

/** A value, or `undefined` when the variable is unset. */
const optional = <T>(parse: Parse<T>): AppSetting<T | undefined> => setting<T | undefined>(parse, undefined);

/** `MODEL_URI`: a model directory (path or `file://` URL), or a model in a registry (see model-uri.ts). */
function modelUri(raw: string): string {
  checkModelUri(nonBlank(raw));
  return raw;
}

/** `DATABASE_URL`: `off`, or a PostgreSQL URL (see database-url.ts). */
function databaseUrl(raw: string): string {
  if (raw !== 'off') parseDatabaseUrl(raw);
  return raw;
}

function secretArn(variable: string): Parse<string> {
  return (raw) => {
    secretRegion(raw, variable);
    return raw;
  };
}

/**
 * `PREDICTION_LOG_RETENTION_MONTHS`: whole months of predictions kept before the current month, or `forever`
 * (the same as unset).
 */
function retentionMonths(raw: string): number | undefined {
  if (raw.trim() === 'forever') return undefined;
  try {
    return integerIn(1, 1200)(raw);
  } catch {
    throw new Error('must be a whole number of months from 1 to 1200, or forever');
  }
}

/** 0 (never), or from 1 second to a day, as milliseconds: a secret read more often than each second costs for nothing. */
function reloadInterval(raw: string): number {
  if (raw.trim() === '0') return 0;
  try {
    return secondsIn(1, 86_400)(raw);
  } catch {
    throw new Error('must be 0 (never) or a number of seconds from 1 to 86400');
  }
}

/** An OIDC issuer or JWKS URL: https, or http to this machine (a test's identity provider). */
function httpsUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('must be an https:// URL');
  }
  const loopback = url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\./.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new Error('must be an https:// URL (http:// only to this machine)');
  }
  return raw;
}

/**
 * Every environment variable the app reads, read once at startup: the stacks set them by these names, the
 * server reads them with these rules (its `config.ts`), `glyco drift` reads the DATABASE_* ones. The README's
 * configuration table describes each.
 */
export const APP_SETTINGS = {
  /** 0 asks the system for any free port (the `listening` log line says which). */
  PORT: setting(integerIn(0, 65_535), APP_PORT),
  /** The interface to listen on; every one, so that the image answers on ECS and EKS. */
  HOST: setting(hostName, '0.0.0.0'),
  /** Unset: the bundled model. */
  MODEL_URI: optional(modelUri),
  /** Where versions downloaded from S3 are kept (under the temp dir: writable on Lambda, ECS and EKS). */
  MODEL_CACHE_DIR: setting((raw) => resolve(nonBlank(raw)), join(tmpdir(), 'glyco-models')),
  /**
   * The PEM public key(s) a model's manifest must be signed by (one, or two while rotating); unset with
   * MODEL_SIGNING_PUBLIC_KEY_FILE too: models are not signature-checked (their sha256 still is).
   */
  MODEL_SIGNING_PUBLIC_KEY: optional(parseTrustedKeys),
  /** The same, in a file. */
  MODEL_SIGNING_PUBLIC_KEY_FILE: optional((raw) => resolve(nonBlank(raw))),
  /** How often an alias in `MODEL_URI` is polled, in milliseconds. */
  MODEL_POLL_INTERVAL_SECONDS: setting(secondsIn(0.1, 3600), 30_000),
  /** Unset: the embedded database; `off`: no prediction log; else a PostgreSQL server. */
  DATABASE_URL: optional(databaseUrl),
  /** RDS credentials in Secrets Manager (the RDS-managed master secret). */
  DATABASE_SECRET_ARN: optional(secretArn('DATABASE_SECRET_ARN')),
  /** The database host (RDS, or an RDS Proxy endpoint on Lambda) to use with the secret; overrides the URL's. */
  DATABASE_HOST: optional(hostName),
  /** Override the URL's (and the secret's) port and database name. */
  DATABASE_PORT: optional(integerIn(1, 65_535)),
  DATABASE_NAME: optional(nonBlank),
  /** Whether an answer waits for its rows to be durable; see PREDICTION_LOG_DURABILITIES. */
  PREDICTION_LOG_DURABILITY: setting(oneOf(PREDICTION_LOG_DURABILITIES), 'buffered'),
  /** Unset: every prediction is kept; else older months' partitions are dropped (by the server, every hour). */
  PREDICTION_LOG_RETENTION_MONTHS: optional(retentionMonths),
  LOG_LEVEL: setting(oneOf(LOG_LEVELS), 'info'),
  /** Rows per model run; a single request larger than this still runs, alone. */
  BATCH_MAX_ROWS: setting(integerIn(1, 1_000_000), 4096),
  /** Under load, how long a queued request may wait for companions; an idle batcher never waits. */
  BATCH_MAX_WAIT_MS: setting(integerIn(0, 1000), 0),
  /** onnxruntime sizes its pool from the host, not the container's CPU limit, so it is set explicitly. */
  ORT_INTRA_OP_THREADS: setting(integerIn(1, 256), 1),
  MAX_BODY_BYTES: setting(integerIn(1024, 64 * 1024 * 1024), 1024 * 1024),
  /** Rows per request. */
  MAX_INSTANCES: setting(integerIn(1, 100_000), 1000),
  /** How long SIGTERM waits for in-flight requests before closing the remaining connections. */
  SHUTDOWN_TIMEOUT_MS: setting(integerIn(0, 600_000), 10_000),
  /** API keys (their hashes, names and scopes; `glyco keys create` makes one), as JSON in the variable itself, */
  API_KEYS: optional(nonBlank),
  /** in a file, */
  API_KEYS_FILE: optional((raw) => resolve(nonBlank(raw))),
  /** or in a Secrets Manager secret (the stacks' choice). */
  API_KEYS_SECRET_ARN: optional(secretArn('API_KEYS_SECRET_ARN')),
  /** How old the keys of API_KEYS_FILE or API_KEYS_SECRET_ARN may get before a request reads them again; 0: never. */
  API_KEYS_RELOAD_SECONDS: setting(reloadInterval, 60_000),
  /** The OIDC issuer whose bearer JWTs are accepted (the token's `iss`); needs OIDC_AUDIENCE. */
  OIDC_ISSUER: optional(httpsUrl),
  /** The audience the tokens must name (`aud`): this API's identifier at the issuer. */
  OIDC_AUDIENCE: optional(nonBlank),
  /** Where the issuer's signing keys are; default: the `jwks_uri` of its OpenID discovery document. */
  OIDC_JWKS_URL: optional(httpsUrl),
  /** A prefix the issuer puts before this API's scopes, e.g. `glyco/` for `glyco/predict`. */
  OIDC_SCOPE_PREFIX: optional(nonBlank),
  /** Requests per second per client (the API key's or token's client; without authentication, everyone's). */
  RATE_LIMIT_REQUESTS_PER_SECOND: optional(integerIn(1, 1_000_000)),
  /** Rows predicted per second per client. */
  RATE_LIMIT_ROWS_PER_SECOND: optional(integerIn(1, 100_000_000)),
  /** How many seconds' worth of its rates an idle client may spend at once. */
  RATE_LIMIT_BURST_SECONDS: setting(integerIn(1, 3600), 1),
};

/** The name of an environment variable the app reads. */
export type AppVariable = keyof typeof APP_SETTINGS;

/** What a variable reads as. */
export type SettingValue<V extends AppVariable> = (typeof APP_SETTINGS)[V]['fallback'];

/** Environment variables for the app, as a deployment sets them: only names the app reads. */
export type AppEnvironment = { [V in AppVariable]?: string };
