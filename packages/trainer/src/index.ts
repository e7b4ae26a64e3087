export { TrainingDataError } from './errors.ts';
export {
  DEFAULT_VERSION,
  RISK_THRESHOLDS,
  type TrainCommandOptions,
  type TrainCommandResult,
  trainFromCsv,
} from './pipeline.ts';
export { predictProbability, type TrainedModel } from './trained-model.ts';
export { ALGORITHMS, type AlgorithmChoice, type ProgressEvent, trainModel } from './training.ts';
