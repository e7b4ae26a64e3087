import type { Hono } from 'hono';
import { createApp } from './app.ts';
import type { AppEnv } from './app-deps.ts';
import type { ServerConfig } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { AppMetrics } from './metrics/app-metrics.ts';
import { ModelHolder } from './model/model-holder.ts';
import { openServingModel } from './model/serving-model.ts';
import { disabledPredictionLog, type PredictionLog } from './prediction-log/types.ts';

/** The app and what it runs on, shared by the node server and the Lambda handler. */
export interface Runtime {
  config: ServerConfig;
  logger: Logger;
  metrics: AppMetrics;
  models: ModelHolder;
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
  const model = await openServingModel(config.modelUri, {
    intraOpThreads: config.ortIntraOpThreads,
    batching: config.batching,
    onBatch: (report) => metrics.batch(report),
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
  return { config, logger, metrics, models, predictionLog, app, startDraining: () => (draining = true) };
}
