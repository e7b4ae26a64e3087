import type { PredictionLogDurability } from '@glyco/contract';

/** How long an answer waits for its rows: see the settings contract's PREDICTION_LOG_DURABILITY. */
export type Durability = PredictionLogDurability;

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
 * on the database (strict durability waits for the rows to be durable, not for a request's own write); the
 * log owns queueing, batching, spooling and replay.
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
  /** Who sent the request (`key:<name>`, `oidc:<id>`); absent when authentication is off. */
  client?: string | undefined;
}

/** `starting`: the database is still opening (records wait in memory meanwhile); predictions are served. */
export type PredictionLogState = 'starting' | 'ok' | 'degraded' | 'off';

/** A strict `record()` whose rows could not be kept (the database and the spool both refused them). */
export class PredictionNotLoggedError extends Error {
  override name = 'PredictionNotLoggedError';
}

export interface PredictionLog {
  /**
   * Hands the rows over. Never throws for database trouble. Buffered, it returns undefined at once; strict, a
   * promise that resolves once the rows are durable, or rejects (PredictionNotLoggedError) when they cannot be.
   */
  record(records: readonly PredictionRecord[]): Promise<void> | undefined;
  /** Resolves when everything recorded so far is durably written (database or spool). Used per Lambda invocation. */
  flush(): Promise<void>;
  /** Readiness detail: `degraded` while the database is unreachable and records are spooled. */
  state(): { state: PredictionLogState; detail?: string };
  /** Flush and release connections; called on SIGTERM after the server stops accepting. */
  close(): Promise<void>;
}

/** The log used when `DATABASE_URL=off`: records nothing, always fine. */
export const disabledPredictionLog: PredictionLog = {
  record: () => undefined,
  async flush() {},
  state: () => ({ state: 'off' }),
  async close() {},
};
