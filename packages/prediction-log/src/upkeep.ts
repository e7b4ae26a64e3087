import type { Logger } from '@glyco/logger';
import { keepPartitions, type UpkeepReport } from './partitions.ts';
import type { SqlClient } from './sql-client.ts';

export interface UpkeepSettings {
  client: SqlClient;
  logger: Logger;
  /** Resolves once the schema is migrated; rejects while the database is unavailable (that round is skipped). */
  opened(): Promise<void>;
  retentionMonths: number | undefined;
  intervalMs: number;
  now(): Date;
}

/**
 * The server's side of partition upkeep: a round as soon as the log's database is open, then one every
 * interval (an hour by default: the next month's partition exists a month ahead, so a missed round costs
 * nothing, and the default partition takes the rows of a month whose partition is late).
 */
export class PartitionUpkeep {
  readonly #settings: UpkeepSettings;
  readonly #timer: NodeJS.Timeout;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(settings: UpkeepSettings) {
    this.#settings = settings;
    this.#timer = setInterval(() => this.#round(), settings.intervalMs).unref();
    this.#round();
  }

  /** Waits for a round under way; none starts after. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#running;
  }

  #round(): void {
    if (this.#stopped || this.#running) return;
    this.#running = this.#run().finally(() => {
      this.#running = undefined;
    });
  }

  async #run(): Promise<void> {
    const { client, logger, retentionMonths } = this.#settings;
    try {
      await this.#settings.opened();
    } catch {
      return; // the log reports its database's state itself
    }
    try {
      const now = this.#settings.now();
      const report = await client.session((db) => keepPartitions(db, { now, retentionMonths }));
      if (report.created.length > 0 || report.dropped.length > 0 || report.deletedRows > 0) {
        logger.info('prediction log: partitions kept', upkeepFields(report));
      }
    } catch (error) {
      logger.warn('prediction log: partition upkeep failed; tried again at the next round', {
        error: (error as Error).message,
      });
    }
  }
}

/** A round's report as log fields. */
function upkeepFields(report: UpkeepReport): Record<string, unknown> {
  return {
    created: report.created,
    kept_since: report.keptSince?.toISOString(),
    dropped: report.dropped.map(({ name, rows }) => `${name} (${rows} rows)`),
    deleted_rows: report.deletedRows,
  };
}
