import type { Hono } from 'hono';
import { createApp } from './app.ts';
import type { AppEnv } from './app-deps.ts';
import type { ServerConfig } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { AppMetrics } from './metrics/app-metrics.ts';
import { followAlias, type ModelFollower } from './model/model-follower.ts';
import { ModelHolder } from './model/model-holder.ts';
import { resolveModel } from './model/model-uri.ts';
import { openServingModel } from './model/serving-model.ts';
import { disabledPredictionLog, type PredictionLog } from './prediction-log/types.ts';

/** The app and what it runs on, shared by the node server and the Lambda handler. */
export interface Runtime {
  config: ServerConfig;
  logger: Logger;
  metrics: AppMetrics;
  models: ModelHolder;
  /** Set when MODEL_URI names a registry alias: swaps in the versions it moves to. */
  follower: ModelFollower | undefined;
  predictionLog: PredictionLog;
  app: Hono<AppEnv>;
  /** Turns readiness to 503: the first step of a graceful shutdown. */
  startDraining(): void;
}

export interface BootstrapOptions {
  logger?: Logger;
  /** Defaults to the disabled log until the database-backed one is wired in. */
  predictionLog?: PredictionLog;
}

/** Loads and verifies the model, then builds the app; throws ModelLoadError with one clear message. */
export async function bootstrap(config: ServerConfig, options: BootstrapOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const metrics = new AppMetrics();
  const started = performance.now();
  const source = await resolveModel(config.modelUri, config.modelRegistry.cacheDir);
  const open = (directory: string) =>
    openServingModel(directory, {
      intraOpThreads: config.ortIntraOpThreads,
      batching: config.batching,
      onBatch: (report) => metrics.batch(report),
    });
  const model = await open(source.directory).catch((error: unknown) => {
    source.followed?.close();
    throw error;
  });
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
  const predictionLog = options.predictionLog ?? disabledPredictionLog;
  let draining = false;
  const app = createApp({
    models,
    predictionLog,
    limits: config.limits,
    logger,
    metrics,
    isDraining: () => draining,
  });
  const startDraining = () => (draining = true);
  return { config, logger, metrics, models, follower, predictionLog, app, startDraining };
}
