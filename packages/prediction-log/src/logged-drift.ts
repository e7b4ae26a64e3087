import type { ModelManifest } from '@glyco/contract';
import { type DriftReport, driftReport } from './drift/report.ts';
import type { PredictionLogReader } from './reader.ts';

export interface DriftWindow {
  since?: Date | undefined;
  until?: Date | undefined;
  /** The most recent rows to analyse, at most. */
  limit: number;
}

/** Rows a drift report reads unless told otherwise: enough for stable statistics, quick to fetch. */
export const DEFAULT_DRIFT_ROWS = 100_000;

/** The drift report of a model version over the predictions logged for it in the window. */
export async function loggedDrift(
  reader: PredictionLogReader,
  manifest: ModelManifest,
  window: DriftWindow = { limit: DEFAULT_DRIFT_ROWS },
): Promise<DriftReport> {
  const query = { modelName: manifest.name, modelVersion: manifest.version, ...window };
  const [logged, outcomes] = await Promise.all([
    reader.loggedInputs(query),
    reader.labelledPredictions(query),
  ]);
  return driftReport({
    manifest,
    since: window.since,
    until: window.until,
    inputs: logged.inputs,
    total: logged.total,
    outcomes,
  });
}
