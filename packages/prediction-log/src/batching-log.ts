import type { Logger } from '@glyco/logger';
import type { PredictionLogMetrics } from './metrics.ts';
import { migrate } from './migrations.ts';
import { RecordQueue } from './record-queue.ts';
import {
  batchJson,
  COPY_TARGET,
  copyText,
  INSERT_BATCH_SQL,
  invalidRecord,
  type RowValues,
  rowJson,
  rowValues,
} from './rows.ts';
import type { Spool } from './spool.ts';
import { isDatabaseAnswer, isRejectedData, type SqlClient } from './sql-client.ts';
import type { PredictionLog, PredictionLogState, PredictionRecord } from './types.ts';

export interface BatchingLogSettings {
  client: SqlClient;
  spool: Spool;
  logger: Logger;
  /** Rows held in memory at most; beyond that the oldest go to the spool. */
  maxQueueRows: number;
  /** Rows per write at most. */
  batchRows: number;
  /** How long a partial batch waits for company before it is written. */
  flushIntervalMs: number;
  /** First wait before trying an unavailable database again; doubles up to `MAX_RETRY_MS`. */
  retryIntervalMs: number;
  /** False until the migrations have run: they run first, as the log starts, before any write. */
  schemaReady: boolean;
}

const MAX_RETRY_MS = 5_000;
/** Batches in a row whose COPY was refused while an INSERT of the same rows worked, before COPY is given up. */
const COPY_REFUSALS_BEFORE_INSERTING = 3;
const OK = Object.freeze({ state: 'ok' as const });
const STARTING = Object.freeze({ state: 'starting' as const, detail: 'opening the database' });

/** Rows as a JSON array (`INSERT_BATCH_SQL`'s parameter, a spool line's payload) and how many it holds. */
type JsonBatch = { count: number; json: string };

type Counters = Omit<PredictionLogMetrics, 'queueRows' | 'spoolBytes'>;

/**
 * The prediction log's write path, off the request path: `record()` only queues; a single drain loop turns
 * the queue into batched writes. While the database is unavailable batches go to the spool, which is
 * replayed (before any newer batch is inserted) once a retry finds the database again.
 */
export class BatchingPredictionLog implements PredictionLog {
  readonly #settings: BatchingLogSettings;
  readonly #queue = new RecordQueue();
  readonly #counters: Counters = {
    queued: 0,
    written: 0,
    spooled: 0,
    replayed: 0,
    duplicates: 0,
    dropped: 0,
  };
  #schemaReady: boolean;
  #flushTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryDelayMs: number;
  #retryDue = false;
  #unavailable: { since: Date; error: string } | undefined;
  #draining: Promise<void> | undefined;
  /** Rows taken from the queue whose fate is sealed: written, spooled or dropped. */
  #settled = 0;
  /** Flushes waiting for `#settled` to reach the rows recorded when they were called. */
  #flushes: { recorded: number; resolve(): void }[] = [];
  /** Write what is queued even if it is less than a batch (timer, flush, close); else only full batches. */
  #writeAll = false;
  /** Batches in a row whose COPY was refused while their INSERT worked: see `#writeFresh`. */
  #copyRefusals = 0;
  #spilling: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #closed = false;
  readonly #startedAt = performance.now();

  constructor(settings: BatchingLogSettings) {
    this.#settings = settings;
    this.#schemaReady = settings.schemaReady;
    this.#retryDelayMs = settings.retryIntervalMs;
    if (!settings.schemaReady || !settings.spool.isEmpty) this.#startDrain(true);
  }

  record(records: readonly PredictionRecord[]): void {
    const rows = records.length;
    if (rows === 0) return;
    if (this.#closed) {
      this.#counters.dropped += rows;
      this.#settings.logger.error('prediction recorded after the log was closed; not logged', { rows });
      return;
    }
    this.#queue.push(records);
    this.#counters.queued += rows;
    if (this.#queue.rows >= this.#settings.batchRows) this.#startDrain();
    else if (!this.#draining) this.#armFlushTimer();
    if (this.#queue.rows > this.#settings.maxQueueRows) this.#startSpill();
  }

  /**
   * Waits for the rows recorded so far, not for those recorded meanwhile: traffic faster than the database
   * keeps the drain loop going, and must not hold a flush (a feedback request, a Lambda invocation) up.
   */
  async flush(): Promise<void> {
    const recorded = this.#counters.queued;
    if (this.#settled >= recorded) return;
    const settled = new Promise<void>((resolve) => this.#flushes.push({ recorded, resolve }));
    this.#startDrain(true);
    await settled;
  }

  /** Called on every request by the app: the usual answer allocates nothing. */
  state(): { state: PredictionLogState; detail?: string } {
    const { spool } = this.#settings;
    if (this.#unavailable) {
      const { since, error } = this.#unavailable;
      return {
        state: 'degraded',
        detail: `database unavailable since ${since.toISOString()} (${error}); ${spool.bytes} bytes spooled`,
      };
    }
    if (!spool.isEmpty) return { state: 'degraded', detail: `replaying ${spool.bytes} spooled bytes` };
    return this.#schemaReady ? OK : STARTING;
  }

  /**
   * Resolves once the database is open and its schema migrated, waiting while it opens; rejects when it is
   * unavailable (readers answer "retry later" rather than wait for an outage) or the log is closed.
   */
  async opened(): Promise<void> {
    while (!this.#schemaReady) {
      if (this.#closed) throw new Error('the prediction log is closed');
      await this.#startDrain(true);
      if (!this.#schemaReady && this.#unavailable) {
        throw new Error(`the prediction log database is unavailable: ${this.#unavailable.error}`);
      }
    }
  }

  metrics(): PredictionLogMetrics {
    return { ...this.#counters, queueRows: this.#queue.rows, spoolBytes: this.#settings.spool.bytes };
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    const { spool } = this.#settings;
    // One last try when the database was unavailable, so that one back from an outage gets the spool now.
    this.#retryDue = this.#unavailable !== undefined;
    // Rows spilled while the last drain ran are replayed too, unless the database is unavailable.
    do {
      await this.flush();
      await this.#startDrain(true);
    } while (this.#queue.rows > 0 || this.#spilling || (!this.#unavailable && !spool.isEmpty));
    this.#closed = true;
    clearTimeout(this.#flushTimer);
    clearTimeout(this.#retryTimer);
    await this.#settings.spool.close();
    await this.#settings.client.close();
  }

  readonly #onFlushTimer = (): void => {
    this.#flushTimer = undefined;
    this.#startDrain(true);
  };

  #armFlushTimer(): void {
    this.#flushTimer ??= setTimeout(this.#onFlushTimer, this.#settings.flushIntervalMs).unref();
  }

  readonly #onRetryTimer = (): void => {
    this.#retryTimer = undefined;
    this.#retryDue = true;
    this.#startDrain(true);
  };

  /**
   * Starts the drain loop unless it runs. Under load it writes only full batches and leaves the rest to the
   * flush timer: a write per flush interval, not one per event-loop turn, keeps the cost per row low.
   */
  #startDrain(writeAll = false): Promise<void> {
    if (writeAll) this.#writeAll = true;
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
      // Rows recorded, or a flush asked for, after the loop's last look at the queue: not left waiting.
      const { rows } = this.#queue;
      if (rows >= this.#settings.batchRows || (rows > 0 && this.#writeAll)) this.#startDrain();
      else if (rows > 0) this.#armFlushTimer();
    });
    return this.#draining;
  }

  async #drain(): Promise<void> {
    for (;;) {
      const mayTryDatabase = !this.#unavailable || this.#retryDue;
      if (mayTryDatabase && (this.#retryDue || !this.#schemaReady || !this.#settings.spool.isEmpty)) {
        this.#retryDue = false;
        await this.#reconnect();
      }
      if (this.#queue.rows === 0) {
        this.#writeAll = false;
        return;
      }
      if (this.#queue.rows < this.#settings.batchRows && !this.#writeAll) {
        this.#armFlushTimer();
        return;
      }
      // A partial batch is everything queued: once it is written, wait for a full batch or the timer again.
      if (this.#queue.rows < this.#settings.batchRows) this.#writeAll = false;
      await this.#settle(async (rows) => {
        if (this.#unavailable) await this.#spoolBatch(jsonBatch(rows.map(rowJson)));
        else await this.#writeFresh(rows);
      });
    }
  }

  /** Migrates if needed, then replays the spool; the database counts as available only if all of it worked. */
  async #reconnect(): Promise<void> {
    const { client, spool, logger } = this.#settings;
    try {
      if (!this.#schemaReady) {
        const applied = await migrate(client);
        this.#schemaReady = true;
        logger.info('prediction log: database open', {
          open_ms: Math.round(performance.now() - this.#startedAt),
          migrations_applied: applied,
        });
      } else if (spool.isEmpty) {
        await client.query('SELECT 1');
      }
      const before = this.#counters.replayed;
      await spool.replay((line) => this.#replayLine(line));
      if (this.#unavailable) {
        logger.info('prediction log: database available again', {
          unavailable_since: this.#unavailable.since.toISOString(),
          replayed: this.#counters.replayed - before,
        });
      }
      this.#unavailable = undefined;
      this.#retryDelayMs = this.#settings.retryIntervalMs;
    } catch (error) {
      this.#markUnavailable(error);
    }
  }

  #markUnavailable(error: unknown): void {
    const message = (error as Error)?.message ?? String(error);
    if (!this.#unavailable) {
      this.#unavailable = { since: new Date(), error: message };
      this.#settings.logger.warn('prediction log: database unavailable, spooling to disk', {
        error: message,
        spool: this.#settings.spool.dir,
      });
    } else {
      this.#unavailable.error = message;
    }
    if (!this.#retryTimer && !this.#closed) {
      this.#retryTimer = setTimeout(this.#onRetryTimer, this.#retryDelayMs).unref();
      this.#retryDelayMs = Math.min(this.#retryDelayMs * 2, MAX_RETRY_MS);
    }
  }

  /** Takes the next batch off the queue and hands it to `store`; its rows count as settled once that is done. */
  async #settle(store: (rows: RowValues[]) => Promise<void>): Promise<void> {
    const rows: RowValues[] = [];
    const taken = this.#queue.take(this.#settings.batchRows, (record, rowIndex) => {
      const problem = invalidRecord(record) ?? serialize(record, rowIndex, rows);
      if (problem)
        this.#drop(1, 'invalid prediction record; not logged', { request_id: record?.requestId, problem });
    });
    try {
      if (rows.length > 0) await store(rows);
    } finally {
      this.#settled += taken;
      if (this.#flushes.length > 0) this.#resolveFlushes();
    }
  }

  #resolveFlushes(): void {
    const waiting = [];
    for (const flush of this.#flushes) {
      if (flush.recorded <= this.#settled) flush.resolve();
      else waiting.push(flush);
    }
    this.#flushes = waiting;
  }

  /**
   * Rows on their first attempt, which cannot be in the table yet: one COPY, the cheapest write per row. When
   * the database (or a proxy in front of it) answers the COPY with an error that is not about the data, the
   * batch INSERT tries the same rows at once; after a few batches in a row where it works and COPY does not
   * (some connection proxies do not pass COPY on), the log writes by INSERT from then on.
   */
  async #writeFresh(rows: RowValues[]): Promise<void> {
    let copyRefused: unknown;
    if (this.#copyRefusals < COPY_REFUSALS_BEFORE_INSERTING) {
      try {
        const copied = await this.#settings.client.copyIn(COPY_TARGET, copyText(rows));
        this.#copyRefusals = 0;
        this.#countInserted('written', rows.length, copied);
        return;
      } catch (error) {
        if (isRejectedData(error)) return this.#insertRowByRow(rows.map(rowJson));
        if (!isDatabaseAnswer(error)) return this.#spoolUnavailable(error, rows.map(rowJson));
        copyRefused = error;
      }
    }
    const rowsJson = rows.map(rowJson);
    try {
      this.#countInserted('written', rows.length, await this.#insert(batchJson(rowsJson)));
    } catch (error) {
      if (isRejectedData(error)) return this.#insertRowByRow(rowsJson);
      return this.#spoolUnavailable(error, rowsJson);
    }
    if (copyRefused !== undefined && ++this.#copyRefusals === COPY_REFUSALS_BEFORE_INSERTING) {
      const error = (copyRefused as Error).message;
      this.#settings.logger.warn(
        'prediction log: the database refuses COPY but takes INSERT; inserting from now on',
        { error },
      );
    }
  }

  /** A batch the database refused as a whole: the rows it takes are written, the others dropped. */
  async #insertRowByRow(rowsJson: string[]): Promise<void> {
    const rest = await this.#insertOneByOne(rowsJson, 'written');
    if (rest.length > 0) await this.#spoolBatch(jsonBatch(rest));
  }

  /**
   * The database is unavailable: the rows go to the spool. Whether a write that broke off committed is
   * unknown; the replay skips the rows already stored.
   */
  async #spoolUnavailable(error: unknown, rowsJson: string[]): Promise<void> {
    this.#markUnavailable(error);
    await this.#spoolBatch(jsonBatch(rowsJson));
  }

  async #replayLine(line: string): Promise<void> {
    const batch = parseSpoolLine(line);
    if (!batch) {
      this.#drop(1, 'spool line is not a row count and a JSON array of rows; skipped', {
        line: line.slice(0, 200),
      });
      return;
    }
    try {
      this.#countInserted('replayed', batch.count, await this.#insert(batch.json));
    } catch (error) {
      if (!isRejectedData(error)) throw error;
      let rows: string[];
      try {
        rows = (JSON.parse(batch.json) as unknown[]).map((row) => JSON.stringify(row));
      } catch {
        this.#drop(batch.count, 'spool line is not valid JSON; skipped', { line: line.slice(0, 200) });
        return;
      }
      const rest = await this.#insertOneByOne(rows, 'replayed');
      // The rows left were not written: stop the replay here, the segment is replayed again later.
      if (rest.length > 0) throw new Error('database became unavailable during replay');
    }
  }

  /**
   * Isolates the rows the database refuses (dropped, each with its reason) from the good ones in a batch it
   * refused as a whole. Returns the rows not yet written when the database became unavailable meanwhile.
   */
  async #insertOneByOne(rows: string[], counter: 'written' | 'replayed'): Promise<string[]> {
    for (const [index, row] of rows.entries()) {
      try {
        this.#countInserted(counter, 1, await this.#insert(`[${row}]`));
      } catch (error) {
        if (!isRejectedData(error)) {
          this.#markUnavailable(error);
          return rows.slice(index);
        }
        this.#drop(1, 'the database refused a prediction row; not logged', {
          error: (error as Error).message,
          row: row.slice(0, 500),
        });
      }
    }
    return [];
  }

  async #insert(json: string): Promise<number> {
    const { affectedRows } = await this.#settings.client.query(INSERT_BATCH_SQL, [json]);
    return affectedRows;
  }

  #countInserted(counter: 'written' | 'replayed', rows: number, inserted: number): void {
    this.#counters[counter] += inserted;
    this.#counters.duplicates += rows - inserted;
  }

  async #spoolBatch(batch: JsonBatch): Promise<void> {
    try {
      await this.#settings.spool.append(spoolLine(batch));
      this.#counters.spooled += batch.count;
    } catch (error) {
      this.#drop(batch.count, 'could not write the spool; predictions lost', {
        error: (error as Error).message,
      });
    }
  }

  /** The queue outgrew its bound (the database is slower than the traffic): the oldest rows go to disk. */
  #startSpill(): void {
    this.#spilling ??= (async () => {
      while (this.#queue.rows > this.#settings.maxQueueRows) {
        await this.#settle((rows) => this.#spoolBatch(jsonBatch(rows.map(rowJson))));
      }
    })().finally(() => {
      this.#spilling = undefined;
    });
  }

  #drop(rows: number, msg: string, fields: Record<string, unknown>): void {
    this.#counters.dropped += rows;
    this.#settings.logger.error(`prediction log: ${msg}`, { ...fields, rows });
  }
}

/** Appends the row's values to `rows`, or says why it cannot be serialized. */
function serialize(record: PredictionRecord, rowIndex: number, rows: RowValues[]): string | undefined {
  try {
    rows.push(rowValues(record, rowIndex));
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** A spool line: the row count, a tab, the batch's JSON; the count spares a replay from parsing the JSON. */
function spoolLine(batch: JsonBatch): string {
  return `${batch.count}\t${batch.json}`;
}

function jsonBatch(rowsJson: readonly string[]): JsonBatch {
  return { count: rowsJson.length, json: batchJson(rowsJson) };
}

function parseSpoolLine(line: string): JsonBatch | undefined {
  const tab = line.indexOf('\t');
  const count = Number(line.slice(0, tab));
  if (tab < 1 || !Number.isInteger(count) || count < 1) return undefined;
  return { count, json: line.slice(tab + 1) };
}
