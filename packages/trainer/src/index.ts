export { csvShape } from './csv-shape.ts';
export { TrainingDataError } from './errors.ts';
export { RISK_THRESHOLDS } from './manifest.ts';
export {
  DEFAULT_VERSION,
  type TrainCommandOptions,
  type TrainCommandResult,
  trainFromCsv,
} from './pipeline.ts';
export { predictRows, type TrainedModel } from './trained-model.ts';
export { type AlgorithmChoice, algorithmsFor, type ProgressEvent, trainModel } from './training.ts';
