import { type LabelledRow, type LabelledRowsQuery, readLabelledRows } from './labelled-rows.ts';
import type { SqlQueryable } from './sql-client.ts';

/** Which logged predictions a query looks at: one model version, optionally a time window, newest first. */
export interface LogWindow {
  modelName: string;
  modelVersion: string;
  since?: Date | undefined;
  until?: Date | undefined;
  /** At most this many rows, the most recent. */
  limit: number;
}

/** A logged prediction whose true outcome was reported. */
export interface LabelledPrediction {
  probability: number;
  prediction: number;
  outcome: 0 | 1;
}

/** The queries that the feedback and drift routes and `glyco drift` run against the log. */
export interface PredictionLogReader {
  /**
   * Stores the observed outcome of the logged rows with this request id and row index (more than one when a
   * client reused a request id); false when no such row is logged.
   */
  recordOutcome(requestId: string, rowIndex: number, outcome: 0 | 1): Promise<boolean>;
  /** Logged input rows in the window, and how many the window holds in all (it may hold more than `limit`). */
  loggedInputs(window: LogWindow): Promise<{ inputs: Record<string, unknown>[]; total: number }>;
  /** Logged predictions in the window that have an observed outcome. */
  labelledPredictions(window: LogWindow): Promise<LabelledPrediction[]>;
  /** A page of a model's labelled rows with their inputs, every version's, oldest first: what a retrain learns from. */
  labelledRows(query: LabelledRowsQuery): Promise<LabelledRow[]>;
}

const WINDOW = `model_name = $1 AND model_version = $2
  AND ($3::timestamptz IS NULL OR predicted_at >= $3::timestamptz)
  AND ($4::timestamptz IS NULL OR predicted_at < $4::timestamptz)`;

export function createPredictionLogReader(db: SqlQueryable): PredictionLogReader {
  const params = (window: LogWindow) => [
    window.modelName,
    window.modelVersion,
    window.since?.toISOString() ?? null,
    window.until?.toISOString() ?? null,
    window.limit,
  ];
  return {
    async recordOutcome(requestId, rowIndex, outcome) {
      const { affectedRows } = await db.query(
        `UPDATE predictions SET observed_outcome = $3, observed_at = now()
         WHERE request_id = $1 AND row_index = $2`,
        [requestId, rowIndex, outcome],
      );
      return affectedRows > 0;
    },
    async loggedInputs(window) {
      const [sample, count] = await Promise.all([
        db.query<{ inputs: Record<string, unknown> }>(
          `SELECT inputs FROM predictions WHERE ${WINDOW} ORDER BY predicted_at DESC LIMIT $5`,
          params(window),
        ),
        db.query<{ total: string | number }>(
          `SELECT count(*) AS total FROM predictions WHERE ${WINDOW}`,
          params(window).slice(0, 4),
        ),
      ]);
      return { inputs: sample.rows.map((row) => row.inputs), total: Number(count.rows[0]?.total ?? 0) };
    },
    async labelledPredictions(window) {
      const { rows } = await db.query<{ probability: number; prediction: number; outcome: number }>(
        `SELECT probability, prediction, observed_outcome AS outcome FROM predictions
         WHERE ${WINDOW} AND observed_outcome IS NOT NULL ORDER BY predicted_at DESC LIMIT $5`,
        params(window),
      );
      return rows.map((row) => ({
        probability: Number(row.probability),
        prediction: Number(row.prediction),
        outcome: Number(row.outcome) === 1 ? 1 : 0,
      }));
    },
    labelledRows: (query) => readLabelledRows(db, query),
  };
}
