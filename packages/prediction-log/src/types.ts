/** A logged feature value: a number, a categorical feature's category, or null where it was missing. */
export type LoggedValue = number | string | null;

/** A binary classifier's answer: the class index, its label, the positive class's probability, the risk level. */
export interface BinaryOutputs {
  prediction: number;
  label: string;
  probability: number;
  riskLevel: string;
}

/** A multiclass classifier's answer: the class index, its label, and every class's probability in label order. */
export interface MulticlassOutputs {
  prediction: number;
  label: string;
  probabilities: readonly number[];
}

/** A regression model's answer: the value, in the target's unit. */
export interface RegressionOutputs {
  value: number;
}

/** What the model said about one row; its shape tells the task. */
export type PredictionOutputs = BinaryOutputs | MulticlassOutputs | RegressionOutputs;

/**
 * The seam between the app and the prediction log: the app hands over finished predictions and never waits
 * on the database; the log owns queueing, batching, spooling and replay.
 */
export interface PredictionRecord {
  requestId: string;
  /** When the prediction was made. */
  time: Date;
  modelName: string;
  modelVersion: string;
  /** The validated input row, feature name → value (null for missing). */
  inputs: Record<string, LoggedValue>;
  outputs: PredictionOutputs;
  /** From the request's first byte read to the model's answer, in milliseconds. */
  latencyMs: number;
}

/** `starting`: the database is still opening (records wait in memory meanwhile); predictions are served. */
export type PredictionLogState = 'starting' | 'ok' | 'degraded' | 'off';

export interface PredictionLog {
  /** Enqueue; returns at once. Never throws for database trouble. */
  record(records: readonly PredictionRecord[]): void;
  /** Resolves when everything recorded so far is durably written (database or spool). Used per Lambda invocation. */
  flush(): Promise<void>;
  /** Readiness detail: `degraded` while the database is unreachable and records are spooled. */
  state(): { state: PredictionLogState; detail?: string };
  /** Flush and release connections; called on SIGTERM after the server stops accepting. */
  close(): Promise<void>;
}

/** The log used when `DATABASE_URL=off`: records nothing, always fine. */
export const disabledPredictionLog: PredictionLog = {
  record() {},
  async flush() {},
  state: () => ({ state: 'off' }),
  async close() {},
};
