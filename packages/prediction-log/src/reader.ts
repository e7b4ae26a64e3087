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

/** What really happened to a prediction, as reported: a class (classifiers) or a value (regression). */
export type ObservedOutcome = { classIndex: number; label: string } | { value: number };

/**
 * A logged prediction whose true outcome was reported. Classifiers: `prediction` and `outcome` are class indexes
 * (`probability` as logged: binary, the positive class's); regression: `value` and `observedValue`.
 */
export interface LabelledPrediction {
  prediction: number | null;
  probability: number | null;
  outcome: number | null;
  value: number | null;
  observedValue: number | null;
}

/** The queries that the feedback and drift routes and `glyco drift` run against the log. */
export interface PredictionLogReader {
  /**
   * Stores the observed outcome of the rows model `modelName` logged with this request id and row index (more
   * than one when a client reused a request id) and whose answer was of the outcome's kind (a class, a value);
   * false when there is no such row.
   */
  recordOutcome(
    modelName: string,
    requestId: string,
    rowIndex: number,
    outcome: ObservedOutcome,
  ): Promise<boolean>;
  /** Logged input rows in the window, and how many the window holds in all (it may hold more than `limit`). */
  loggedInputs(window: LogWindow): Promise<{ inputs: Record<string, unknown>[]; total: number }>;
  /** Logged predictions in the window that have an observed outcome. */
  labelledPredictions(window: LogWindow): Promise<LabelledPrediction[]>;
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
    async recordOutcome(modelName, requestId, rowIndex, outcome) {
      const { affectedRows } =
        'value' in outcome
          ? await db.query(
              `UPDATE predictions SET observed_value = $4, observed_at = now()
               WHERE request_id = $1 AND row_index = $2 AND model_name = $3 AND value IS NOT NULL`,
              [requestId, rowIndex, modelName, outcome.value],
            )
          : await db.query(
              `UPDATE predictions SET observed_outcome = $4, observed_label = $5, observed_at = now()
               WHERE request_id = $1 AND row_index = $2 AND model_name = $3 AND prediction IS NOT NULL`,
              [requestId, rowIndex, modelName, outcome.classIndex, outcome.label],
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
      const { rows } = await db.query<Record<keyof LabelledPrediction, number | string | null>>(
        `SELECT prediction, probability, observed_outcome AS outcome, value, observed_value AS "observedValue"
         FROM predictions
         WHERE ${WINDOW} AND (observed_outcome IS NOT NULL OR observed_value IS NOT NULL)
         ORDER BY predicted_at DESC LIMIT $5`,
        params(window),
      );
      return rows.map((row) => ({
        prediction: numberOrNull(row.prediction),
        probability: numberOrNull(row.probability),
        outcome: numberOrNull(row.outcome),
        value: numberOrNull(row.value),
        observedValue: numberOrNull(row.observedValue),
      }));
    },
  };
}

/** The drivers give numbers, or text for types JavaScript numbers cannot hold exactly. */
function numberOrNull(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}
