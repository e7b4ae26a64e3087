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
import type { DamagedRecord, Spool, SpoolRecord } from './spool.ts';
import { isDatabaseAnswer, isRejectedData, type SqlClient } from './sql-client.ts';
import {
  type Durability,
  type PredictionLog,
  type PredictionLogState,
  PredictionNotLoggedError,
  type PredictionRecord,
} from './types.ts';

export interface BatchingLogSettings {
  client: SqlClient;
  spool: Spool;
  logger: Logger;
  /**
   * Rows held in memory at most, queued or being written: past half of it the oldest go to the spool, and a
   * record that would take the log past all of it is refused (dropped and counted; in strict mode, rejected).
   * A request larger than the bound is taken when nothing else is held.
   */
  maxQueueRows: number;
  /** Rows per write at most. */
  batchRows: number;
  /** How long a partial batch waits for company before it is written (buffered mode). */
  flushIntervalMs: number;
  /** First wait before trying an unavailable database again; doubles up to `MAX_RETRY_MS`. */
  retryIntervalMs: number;
  /** False until the migrations have run: they run first, as the log starts, before any write. */
  schemaReady: boolean;
  /** `buffered`: `record()` returns at once. `strict`: it returns a promise settled once the rows are durable. */
  durability: Durability;
  /** The clock that says which month it is, when the migration makes the first partitions. */
  now(): Date;
}

const MAX_RETRY_MS = 5_000;
/** Batches in a row whose COPY was refused while an INSERT of the same rows worked, before COPY is given up. */
const COPY_REFUSALS_BEFORE_INSERTING = 3;
const OK = Object.freeze({ state: 'ok' as const });
const STARTING = Object.freeze({ state: 'starting' as const, detail: 'opening the database' });

/** Rows as a JSON array (`INSERT_BATCH_SQL`'s parameter, a spool record's payload) and how many it holds. */
type JsonBatch = { count: number; json: string };

type Counters = Omit<PredictionLogMetrics, 'queueRows' | 'spoolBytes'>;

/**
 * Rows taken off the queue together, by their sequence numbers (the order they were recorded in): settled
 * once written, spooled or dropped. `lost` says why, when any of them could not be kept.
 */
interface Batch {
  start: number;
  end: number;
  done: boolean;
  lost: string | undefined;
}

/** Someone waiting for rows `[start, end)` to settle: a strict `record()`, or a `flush()` (from 0). */
interface Waiter {
  start: number;
  end: number;
  /** Rejected when a row of its range could not be kept; a flush only waits. */
  strict: boolean;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * The prediction log's write path, off the request path: `record()` only queues; a single drain loop turns
 * the queue into batched writes. While the database is unavailable batches go to the spool, which is
 * replayed (before any newer batch is inserted) once a retry finds the database again. Memory is bounded:
 * when the database falls behind, the oldest rows spill to the spool many batches per fsync, and past the
 * bound records are refused and counted, never held without limit.
 */
export class BatchingPredictionLog implements PredictionLog {
  readonly #settings: BatchingLogSettings;
  readonly #strict: boolean;
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
  #drainImmediate: NodeJS.Immediate | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryDelayMs: number;
  #retryDue = false;
  #unavailable: { since: Date; error: string } | undefined;
  #draining: Promise<void> | undefined;
  /** Sequence number of the next row recorded, and of the next row taken off the queue. */
  #pushed = 0;
  #taken = 0;
  /** Rows taken off the queue and not yet settled: in memory as much as the queued ones. */
  #inFlight = 0;
  /** Batches taken that a waiter may still ask about. */
  #batches: Batch[] = [];
  #waiters: Waiter[] = [];
  /** Rows refused at the memory bound since the log last took a record: logged once per stretch. */
  #overflowing: { rows: number; since: Date } | undefined;
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
    this.#strict = settings.durability === 'strict';
    this.#schemaReady = settings.schemaReady;
    this.#retryDelayMs = settings.retryIntervalMs;
    if (!settings.schemaReady || !settings.spool.isEmpty) this.#startDrain(true);
  }

  record(records: readonly PredictionRecord[]): Promise<void> | undefined {
    const rows = records.length;
    if (rows === 0) return undefined;
    this.#counters.queued += rows;
    if (this.#closed) {
      this.#drop(rows, 'prediction recorded after the log was closed; not logged', {});
      return this.#refused('the prediction log is closed');
    }
    const held = this.#queue.rows + this.#inFlight;
    if (held > 0 && held + rows > this.#settings.maxQueueRows) return this.#overflow(rows);
    if (this.#overflowing) this.#endOverflow();
    this.#queue.push(records);
    const start = this.#pushed;
    this.#pushed += rows;
    if (this.#queue.rows > this.#settings.maxQueueRows / 2) this.#startSpill();
    if (!this.#strict) {
      if (this.#queue.rows >= this.#settings.batchRows) this.#startDrain();
      else if (!this.#draining) this.#armFlushTimer();
      return undefined;
    }
    // Group commit: every record of this turn of the event loop goes out in the next write.
    this.#drainImmediate ??= setImmediate(this.#onDrainImmediate);
    return new Promise((resolve, reject) =>
      this.#waiters.push({ start, end: this.#pushed, strict: true, resolve, reject }),
    );
  }

  /**
   * Waits for the rows recorded so far, not for those recorded meanwhile: traffic faster than the database
   * keeps the drain loop going, and must not hold a flush (a feedback request, a Lambda invocation) up.
   */
  async flush(): Promise<void> {
    const end = this.#pushed;
    if (this.#fateOf(0, end) !== 'pending') return;
    const settled = new Promise<void>((resolve) =>
      this.#waiters.push({ start: 0, end, strict: false, resolve, reject: () => resolve() }),
    );
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
    return {
      ...this.#counters,
      queueRows: this.#queue.rows + this.#inFlight,
      spoolBytes: this.#settings.spool.bytes,
    };
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
    if (this.#overflowing) this.#endOverflow();
    clearTimeout(this.#flushTimer);
    clearTimeout(this.#retryTimer);
    clearImmediate(this.#drainImmediate);
    await this.#settings.spool.close();
    await this.#settings.client.close();
  }

  readonly #onFlushTimer = (): void => {
    this.#flushTimer = undefined;
    this.#startDrain(true);
  };

  readonly #onDrainImmediate = (): void => {
    this.#drainImmediate = undefined;
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
   * Starts the drain loop unless it runs. Buffered, under load, it writes only full batches and leaves the
   * rest to the flush timer: a write per flush interval, not one per event-loop turn, keeps the cost per row
   * low. Strict, it writes whatever is queued as soon as the previous write is done (group commit).
   */
  #startDrain(writeAll = false): Promise<void> {
    if (writeAll) this.#writeAll = true;
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
      // Rows recorded, or a flush asked for, after the loop's last look at the queue: not left waiting.
      const { rows } = this.#queue;
      if (rows >= this.#settings.batchRows || (rows > 0 && (this.#writeAll || this.#strict)))
        this.#startDrain();
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
      if (this.#queue.rows < this.#settings.batchRows && !this.#writeAll && !this.#strict) {
        this.#armFlushTimer();
        return;
      }
      // A partial batch is everything queued: once it is written, wait for a full batch or the timer again.
      if (this.#queue.rows < this.#settings.batchRows) this.#writeAll = false;
      await this.#settle(this.#settings.batchRows, async (rows, batch) => {
        if (this.#unavailable) await this.#spoolBatches([jsonBatch(rows.map(rowJson))], batch);
        else await this.#writeFresh(rows, batch);
      });
    }
  }

  /** Migrates if needed, then replays the spool; the database counts as available only if all of it worked. */
  async #reconnect(): Promise<void> {
    const { client, spool, logger } = this.#settings;
    try {
      if (!this.#schemaReady) {
        const applied = await migrate(client, this.#settings.now());
        this.#schemaReady = true;
        logger.info('prediction log: database open', {
          open_ms: Math.round(performance.now() - this.#startedAt),
          migrations_applied: applied,
        });
      } else if (spool.isEmpty) {
        await client.query('SELECT 1');
      }
      const before = this.#counters.replayed;
      await spool.replay({
        write: (record) => this.#replayRecord(record),
        skip: (damaged, segment) => this.#skipDamaged(damaged, segment),
      });
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

  /**
   * Takes up to `maxRows` off the queue and hands them to `store` as one batch; its rows count as settled
   * (written, spooled or dropped) once that is done, and whoever waited for them hears of it.
   */
  async #settle(maxRows: number, store: (rows: RowValues[], batch: Batch) => Promise<void>): Promise<void> {
    const rows: RowValues[] = [];
    const batch: Batch = { start: this.#taken, end: this.#taken, done: false, lost: undefined };
    const taken = this.#queue.take(maxRows, (record, rowIndex) => {
      const problem = invalidRecord(record) ?? serialize(record, rowIndex, rows);
      if (problem) {
        const fields = { request_id: record?.requestId, problem };
        this.#drop(1, 'invalid prediction record; not logged', fields, batch);
      }
    });
    this.#taken += taken;
    batch.end = this.#taken;
    this.#inFlight += taken;
    this.#batches.push(batch);
    try {
      if (rows.length > 0) await store(rows, batch);
    } finally {
      batch.done = true;
      this.#inFlight -= taken;
      this.#settleWaiters();
    }
  }

  /** `pending` while a row of `[start, end)` is queued or being written; else whether all of them were kept. */
  #fateOf(start: number, end: number): 'pending' | 'kept' | 'lost' {
    if (this.#taken < end) return 'pending';
    let fate: 'kept' | 'lost' = 'kept';
    for (const batch of this.#batches) {
      if (batch.start >= end || batch.end <= start) continue;
      if (!batch.done) return 'pending';
      if (batch.lost) fate = 'lost';
    }
    return fate;
  }

  #settleWaiters(): void {
    const waiting: Waiter[] = [];
    for (const waiter of this.#waiters) {
      const fate = this.#fateOf(waiter.start, waiter.end);
      if (fate === 'pending') waiting.push(waiter);
      else if (fate === 'kept' || !waiter.strict) waiter.resolve();
      else waiter.reject(new PredictionNotLoggedError(this.#lossOf(waiter)));
    }
    this.#waiters = waiting;
    // A settled batch is kept only while a strict waiter still asks whether its rows were lost.
    const asked = waiting.find((waiter) => waiter.strict)?.start ?? Number.POSITIVE_INFINITY;
    this.#batches = this.#batches.filter((batch) => !batch.done || batch.end > asked);
  }

  #lossOf(waiter: Waiter): string {
    const lost = this.#batches.find((b) => b.lost && b.start < waiter.end && b.end > waiter.start);
    return lost?.lost ?? 'the prediction log could not keep it';
  }

  /** A strict record that is refused outright; buffered, the drop is only counted. */
  #refused(reason: string): Promise<void> | undefined {
    return this.#strict ? Promise.reject(new PredictionNotLoggedError(reason)) : undefined;
  }

  /**
   * The log holds as many rows as it may: the database and the spool fall behind the traffic. The record is
   * dropped and counted; the first of a stretch is logged, and the stretch's total when it ends.
   */
  #overflow(rows: number): Promise<void> | undefined {
    this.#counters.dropped += rows;
    if (this.#overflowing) this.#overflowing.rows += rows;
    else {
      this.#overflowing = { rows, since: new Date() };
      this.#settings.logger.error(
        'prediction log: the database and the spool fall behind; dropping predictions past maxQueueRows',
        { max_queue_rows: this.#settings.maxQueueRows, spool: this.#settings.spool.dir },
      );
    }
    return this.#refused(`the prediction log holds ${this.#settings.maxQueueRows} rows, its bound`);
  }

  #endOverflow(): void {
    const { rows, since } = this.#overflowing!;
    this.#overflowing = undefined;
    this.#settings.logger.error('prediction log: predictions dropped past maxQueueRows', {
      rows,
      since: since.toISOString(),
    });
  }

  /**
   * Rows on their first attempt, which cannot be in the table yet: one COPY, the cheapest write per row. When
   * the database (or a proxy in front of it) answers the COPY with an error that is not about the data, the
   * batch INSERT tries the same rows at once; after a few batches in a row where it works and COPY does not
   * (some connection proxies do not pass COPY on), the log writes by INSERT from then on.
   */
  async #writeFresh(rows: RowValues[], batch: Batch): Promise<void> {
    let copyRefused: unknown;
    if (this.#copyRefusals < COPY_REFUSALS_BEFORE_INSERTING) {
      try {
        const copied = await this.#settings.client.copyIn(COPY_TARGET, copyText(rows));
        this.#copyRefusals = 0;
        this.#countInserted('written', rows.length, copied);
        return;
      } catch (error) {
        if (isRejectedData(error)) return this.#insertRowByRow(rows.map(rowJson), batch);
        if (!isDatabaseAnswer(error)) return this.#spoolUnavailable(error, rows.map(rowJson), batch);
        copyRefused = error;
      }
    }
    const rowsJson = rows.map(rowJson);
    try {
      this.#countInserted('written', rows.length, await this.#insert(batchJson(rowsJson)));
    } catch (error) {
      if (isRejectedData(error)) return this.#insertRowByRow(rowsJson, batch);
      return this.#spoolUnavailable(error, rowsJson, batch);
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
  async #insertRowByRow(rowsJson: string[], batch: Batch): Promise<void> {
    const rest = await this.#insertOneByOne(rowsJson, 'written', batch);
    if (rest.length > 0) await this.#spoolBatches([jsonBatch(rest)], batch);
  }

  /**
   * The database is unavailable: the rows go to the spool. Whether a write that broke off committed is
   * unknown; the replay skips the rows already stored.
   */
  async #spoolUnavailable(error: unknown, rowsJson: string[], batch: Batch): Promise<void> {
    this.#markUnavailable(error);
    await this.#spoolBatches([jsonBatch(rowsJson)], batch);
  }

  async #replayRecord(record: SpoolRecord): Promise<void> {
    try {
      this.#countInserted('replayed', record.rows, await this.#insert(record.payload));
    } catch (error) {
      if (!isRejectedData(error)) throw error;
      let rows: string[];
      try {
        rows = (JSON.parse(record.payload) as unknown[]).map((row) => JSON.stringify(row));
      } catch {
        this.#drop(record.rows, 'spool record is not valid JSON; skipped', {
          payload: record.payload.slice(0, 200),
        });
        return;
      }
      const rest = await this.#insertOneByOne(rows, 'replayed');
      // The rows left were not written: stop the replay here, the segment is replayed again later.
      if (rest.length > 0) throw new Error('database became unavailable during replay');
    }
  }

  #skipDamaged(damaged: DamagedRecord, segment: string): void {
    this.#drop(damaged.rows ?? 0, `spool holds ${damaged.reason}; skipped`, {
      segment,
      bytes: damaged.bytes,
      ...(damaged.rows === undefined ? { rows_unknown: true } : {}),
    });
  }

  /**
   * Isolates the rows the database refuses (dropped, each with its reason) from the good ones in a batch it
   * refused as a whole. Returns the rows not yet written when the database became unavailable meanwhile.
   */
  async #insertOneByOne(rows: string[], counter: 'written' | 'replayed', batch?: Batch): Promise<string[]> {
    for (const [index, row] of rows.entries()) {
      try {
        this.#countInserted(counter, 1, await this.#insert(`[${row}]`));
      } catch (error) {
        if (!isRejectedData(error)) {
          this.#markUnavailable(error);
          return rows.slice(index);
        }
        this.#drop(
          1,
          'the database refused a prediction row; not logged',
          { error: (error as Error).message, row: row.slice(0, 500) },
          batch,
        );
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

  /** One spool append (one fsync) of the batches, a record each; rows it cannot take are dropped and counted. */
  async #spoolBatches(batches: JsonBatch[], batch: Batch): Promise<void> {
    const rows = batches.reduce((sum, { count }) => sum + count, 0);
    try {
      await this.#settings.spool.append(batches.map(({ count, json }) => ({ rows: count, payload: json })));
      this.#counters.spooled += rows;
    } catch (error) {
      const fields = { error: (error as Error).message };
      this.#drop(rows, 'could not write the spool; predictions lost', fields, batch);
    }
  }

  /**
   * The queue outgrew half its bound (the database is slower than the traffic): the oldest rows go to disk,
   * down to a quarter of the bound, in one append with one fsync, however many batches that makes.
   */
  #startSpill(): void {
    const { maxQueueRows, batchRows } = this.#settings;
    this.#spilling ??= (async () => {
      while (this.#queue.rows > maxQueueRows / 2) {
        await this.#settle(this.#queue.rows - Math.floor(maxQueueRows / 4), (rows, batch) => {
          const batches: JsonBatch[] = [];
          for (let at = 0; at < rows.length; at += batchRows) {
            batches.push(jsonBatch(rows.slice(at, at + batchRows).map(rowJson)));
          }
          return this.#spoolBatches(batches, batch);
        });
      }
    })().finally(() => {
      this.#spilling = undefined;
    });
  }

  #drop(rows: number, msg: string, fields: Record<string, unknown>, batch?: Batch): void {
    this.#counters.dropped += rows;
    if (batch) batch.lost ??= msg;
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

function jsonBatch(rowsJson: readonly string[]): JsonBatch {
  return { count: rowsJson.length, json: batchJson(rowsJson) };
}
