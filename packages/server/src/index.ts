export { createApp } from './app.ts';
export type { AppDeps } from './app-deps.ts';
export { ScoreInputError, type ScoreOptions, type ScoreProgress, scoreCsv } from './batch/score-csv.ts';
export { openWorkerModel } from './batch/worker-model.ts';
export { type BootstrapOptions, bootstrap, type Runtime } from './bootstrap.ts';
export { type BatchingConfig, loadConfig, type RequestLimits, type ServerConfig } from './config.ts';
export type { AppEnv } from './http/context.ts';
export { Problem } from './http/problem.ts';
export { createLambdaHandler } from './lambda/handler.ts';
export { AppMetrics } from './metrics/app-metrics.ts';
export { exampleRow } from './model/example-row.ts';
export type { InferenceEngine, ModelOutputs } from './model/inference-engine.ts';
export { type LoadedModel, loadModel } from './model/load-model.ts';
export { ModelHolder } from './model/model-holder.ts';
export { ModelLoadError } from './model/model-load-error.ts';
export {
  bundledModelDirectory,
  DEFAULT_MODEL_NAME,
  resolveModel,
  resolveModelDirectory,
} from './model/model-uri.ts';
export { openServingModel, ServingModel } from './model/serving-model.ts';
export { exitOnSignals, type RunningServer, serveRuntime, startServer } from './node/server.ts';
export { isStartupFailure, ListenError, reportStartupFailure } from './startup-failure.ts';
