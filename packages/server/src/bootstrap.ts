import { keyFingerprint, type TrustedKeys } from '@glyco/contract';
import { createLogger, type Logger } from '@glyco/logger';
import { openPredictionLog, type ServedPredictionLog } from '@glyco/prediction-log';
import type { Hono } from 'hono';
import { createApp } from './app.ts';
import { type Authenticator, createAuthenticator } from './auth/authenticator.ts';
import type { ServerConfig } from './config.ts';
import type { AppEnv } from './http/context.ts';
import { ClientLimits } from './limits/client-limits.ts';
import { AppMetrics } from './metrics/app-metrics.ts';
import { followAlias, type ModelFollower } from './model/model-follower.ts';
import { ModelHolder } from './model/model-holder.ts';
import { resolveModel } from './model/model-uri.ts';
import { openServingModel } from './model/serving-model.ts';

/** The app and what it runs on, shared by the node server and the Lambda handler. */
export interface Runtime {
  config: ServerConfig;
  logger: Logger;
  metrics: AppMetrics;
  models: ModelHolder;
  /** Set when MODEL_URI names a registry alias: swaps in the versions it moves to. */
  follower: ModelFollower | undefined;
  predictionLog: ServedPredictionLog;
  app: Hono<AppEnv>;
  /** Turns readiness to 503: the first step of a graceful shutdown. */
  startDraining(): void;
}

export interface BootstrapOptions {
  logger?: Logger;
  /** Default: the log `config.database` describes, opened by `bootstrap`. */
  predictionLog?: ServedPredictionLog;
  /** Default: the one `config.auth` describes (keys read from the environment, a file or Secrets Manager). */
  authenticator?: Authenticator | undefined;
}

/**
 * Loads and verifies the model and opens the prediction log, side by side, then builds the app. The log's
 * database finishes opening in the background (see `openPredictionLog`): serving does not wait for it. Throws
 * ModelLoadError, PredictionLogConfigError or DirectoryInUseError with one clear message.
 */
export async function bootstrap(config: ServerConfig, options: BootstrapOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const metrics = new AppMetrics();
  const started = performance.now();
  const open = (directory: string) =>
    openServingModel(directory, {
      intraOpThreads: config.ortIntraOpThreads,
      trusted: config.modelTrust,
      batching: config.batching,
      onBatch: (report) => metrics.batch(report),
    });
  const loadModel = async () => {
    const source = await resolveModel(config.modelUri, config.modelRegistry.cacheDir, config.modelTrust);
    const model = await open(source.directory).catch((error: unknown) => {
      source.followed?.close();
      throw error;
    });
    return { source, model };
  };
  const [loaded, opened, authenticated] = await Promise.allSettled([
    loadModel(),
    options.predictionLog ??
      openPredictionLog({
        database: config.database,
        durability: config.predictionLogDurability,
        retentionMonths: config.predictionLogRetentionMonths,
        logger,
      }),
    'authenticator' in options
      ? options.authenticator
      : createAuthenticator(config.auth, {
          logger,
          onKeysReload: (outcome) => metrics.apiKeysReload(outcome),
        }),
  ]);
  if (loaded.status === 'rejected' || opened.status === 'rejected' || authenticated.status === 'rejected') {
    if (loaded.status === 'fulfilled') {
      loaded.value.source.followed?.close();
      await loaded.value.model.retire();
    }
    if (opened.status === 'fulfilled' && !options.predictionLog) await opened.value.close();
    const failed = [loaded, opened, authenticated].find((result) => result.status === 'rejected');
    throw (failed as PromiseRejectedResult).reason;
  }
  const authenticator = authenticated.value;
  logAuthentication(logger, authenticator, config.host);
  logModelTrust(logger, config.modelTrust);
  const { source, model } = loaded.value;
  const predictionLog = opened.value;
  const { name, version, onnx } = model.manifest;
  logger.info('model loaded', {
    model: name,
    version,
    sha256: onnx.sha256,
    directory: model.directory,
    load_ms: Math.round(performance.now() - started),
  });
  const models = new ModelHolder(model);
  const { pollIntervalMs } = config.modelRegistry;
  const follower =
    source.followed &&
    followAlias({
      model: source.followed,
      holder: models,
      open,
      intervalMs: pollIntervalMs,
      logger,
      metrics,
    });
  let draining = false;
  const app = createApp({
    models,
    predictionLog,
    limits: config.limits,
    authenticator,
    clientLimits: new ClientLimits(config.clientLimits),
    logger,
    metrics,
    recentRuns: source.followed?.recentRuns,
    isDraining: () => draining,
  });
  const startDraining = () => (draining = true);
  return { config, logger, metrics, models, follower, predictionLog, app, startDraining };
}

/** One line at startup says whether a model must be signed to load. */
function logModelTrust(logger: Logger, trusted: TrustedKeys | undefined): void {
  if (trusted) {
    logger.info('model signatures checked: a model loads only if its manifest is signed by a trusted key', {
      trusted_keys: trusted.map(keyFingerprint),
    });
  } else {
    logger.info(
      'models are not signature-checked: MODEL_SIGNING_PUBLIC_KEY is not set (their sha256 still is)',
    );
  }
}

const LOOPBACK = /^(127\.|::1$|localhost$)/;

/** One line at startup says who may call the routes: loudly when everyone on a network may. */
function logAuthentication(logger: Logger, authenticator: Authenticator | undefined, host: string): void {
  if (authenticator) {
    logger.info('authentication on', { accepts: authenticator.accepts });
  } else if (LOOPBACK.test(host)) {
    logger.info('authentication off: no API_KEYS* or OIDC_ISSUER is set, and only this machine can connect', {
      host,
    });
  } else {
    logger.warn(
      'authentication off: no API_KEYS* or OIDC_ISSUER is set; every route is open to whoever reaches it',
      {
        host,
      },
    );
  }
}
