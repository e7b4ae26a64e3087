export { type ModelManifest, servedManifest } from '../model/served-manifest.ts';
export { ksPValue, ksStatistic, quantileCdf } from './kolmogorov-smirnov.ts';
export { type LivePerformance, livePerformance, type Outcome, rocAuc } from './live-performance.ts';
export { binIndex, binProportions, populationStabilityIndex } from './psi.ts';
export {
  type DriftInputs,
  type DriftReport,
  driftReport,
  type FeatureDrift,
  type FeatureDriftStatus,
  MIN_DRIFT_SAMPLE,
  PSI_DRIFT_THRESHOLD,
} from './report.ts';
export { formatDriftTable } from './table.ts';
export { parseTimeBound, TimeBoundError } from './time-window.ts';
