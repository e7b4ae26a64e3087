export { createApp } from './app.ts';
export type { AppDeps, AppEnv } from './app-deps.ts';
export { type BootstrapOptions, bootstrap, type Runtime } from './bootstrap.ts';
export {
  type BatchingConfig,
  ConfigError,
  type DatabaseConfig,
  loadConfig,
  parseHost,
  parsePort,
  type RequestLimits,
  type ServerConfig,
} from './config.ts';
export { Problem } from './http/problem.ts';
export { createLambdaHandler } from './lambda-handler.ts';
export { AppMetrics } from './metrics/app-metrics.ts';
export type { InferenceEngine, ModelOutputs } from './model/inference-engine.ts';
export { type LoadedModel, loadModel } from './model/load-model.ts';
export { ModelHolder } from './model/model-holder.ts';
export { ModelLoadError } from './model/model-load-error.ts';
export { bundledModelDirectory, DEFAULT_MODEL_NAME, resolveModelDirectory } from './model/model-uri.ts';
export { openServingModel, ServingModel } from './model/serving-model.ts';
export { exitOnSignals, ListenError, type RunningServer, serveRuntime, startServer } from './node-server.ts';
export { isStartupFailure, reportStartupFailure } from './startup-failure.ts';
export { exampleRow } from './validation/example-row.ts';
