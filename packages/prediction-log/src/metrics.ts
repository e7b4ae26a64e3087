/** Counters since start (rows), and two gauges. `dropped` must stay 0: anything else is lost audit data. */
export interface PredictionLogMetrics {
  /** Rows handed to `record()`. */
  queued: number;
  /** Rows inserted straight from the queue. */
  written: number;
  /** Rows written to the on-disk spool because the database was unavailable or the queue was full. */
  spooled: number;
  /** Rows inserted from the spool. */
  replayed: number;
  /** Rows the table already held by their id: a replay repeating a write the database made but never acknowledged. */
  duplicates: number;
  /**
   * Rows lost, each counted once and logged: invalid records, records after close or past the memory bound
   * (`maxQueueRows`), rows whose spool write failed (a full or read-only disk), damaged spool records skipped.
   */
  dropped: number;
  /** Rows in memory now: queued, or being written. */
  queueRows: number;
  /** Bytes waiting in the spool now. */
  spoolBytes: number;
}

export const NO_METRICS: PredictionLogMetrics = Object.freeze({
  queued: 0,
  written: 0,
  spooled: 0,
  replayed: 0,
  duplicates: 0,
  dropped: 0,
  queueRows: 0,
  spoolBytes: 0,
});

const DESCRIPTIONS: Record<keyof PredictionLogMetrics, [type: 'counter' | 'gauge', help: string]> = {
  queued: ['counter', 'Prediction rows handed to the log.'],
  written: ['counter', 'Prediction rows inserted into the database from the queue.'],
  spooled: ['counter', 'Prediction rows written to the on-disk spool.'],
  replayed: ['counter', 'Prediction rows inserted into the database from the spool.'],
  duplicates: ['counter', 'Prediction rows skipped because the table already held them (a replayed write).'],
  dropped: ['counter', 'Prediction rows lost (must stay 0).'],
  queueRows: ['gauge', 'Prediction rows in memory: queued or being written.'],
  spoolBytes: ['gauge', 'Bytes waiting in the on-disk spool.'],
};

/** The metrics in the Prometheus text format, one family per field, ready to append to `/metrics`. */
export function renderPrometheus(metrics: PredictionLogMetrics, prefix = 'glyco_prediction_log'): string {
  let text = '';
  for (const [field, [type, help]] of Object.entries(DESCRIPTIONS)) {
    const name = `${prefix}_${snakeCase(field)}${type === 'counter' ? '_total' : ''}`;
    text += `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${metrics[field as keyof PredictionLogMetrics]}\n`;
  }
  return text;
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
