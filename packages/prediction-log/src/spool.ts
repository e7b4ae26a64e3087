import { mkdir, open, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from '@glyco/logger';
import { PredictionLogConfigError } from './config-error.ts';
import { acquireDirLock, type DirLock } from './dir-lock.ts';
import {
  type DamagedRecord,
  decodeLegacyLines,
  decodeRecords,
  encodeRecords,
  isDamaged,
  type SpoolRecord,
} from './spool-records.ts';

export type { DamagedRecord, SpoolRecord } from './spool-records.ts';

const SEGMENT = /^(\d{12})\.(spool|jsonl)$/;
/** A segment is read whole when replayed: keep each one small. */
const SEGMENT_MAX_BYTES = 16 * 1024 * 1024;
/** Default bound of the whole spool: a full /tmp (Lambda) or an evicted pod (EKS emptyDir limit) is worse. */
export const DEFAULT_MAX_SPOOL_BYTES = 256 * 1024 * 1024;

/** What the spool needs of a segment file: Node's FileHandle, or a test's wrapper around one. */
export interface SegmentFile {
  write(data: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

/** Opens a segment file for appending; the seam where a test can slow or break the disk. */
export type OpenSegmentFile = (path: string) => Promise<SegmentFile>;

const appendTo: OpenSegmentFile = (path) => open(path, 'a');

export class SpoolFullError extends Error {
  override name = 'SpoolFullError';
}

/** A write or its fsync failed (a full disk, a read-only one, an I/O error): the records are not in the spool. */
export class SpoolWriteError extends Error {
  override name = 'SpoolWriteError';
}

/** The directory cannot be used at all (read-only, not a directory, no permission): the log cannot start. */
export class SpoolDirectoryError extends PredictionLogConfigError {
  override name = 'SpoolDirectoryError';
}

type Segment = { path: string; bytes: number; legacy: boolean };
type OpenSegment = Segment & { file: SegmentFile };

/** Where a replay sends what it reads. */
export interface ReplaySink {
  /** Stores one record; throwing stops the replay, which starts over from this segment next time. */
  write(record: SpoolRecord): Promise<void>;
  /** A stretch of a segment that is no whole record: it is skipped, and the replay goes on after it. */
  skip(damaged: DamagedRecord, segment: string): void;
}

/**
 * An append-only, fsync'd file queue of records kept while the database is unavailable (or slower than the
 * traffic). Records go into numbered segment files; a replay seals the segment being written, hands every record
 * of every sealed segment to the sink in order, and deletes a segment once all of it went through. A replay cut
 * short repeats records next time, which the table's unique key turns into no-ops: exactly once, in order.
 *
 * An append is whole or absent: every write is checked for its length, the fsync for its result, and a failed
 * append is cut off the segment again (or, should even that fail, left to the replay to skip by its checksum).
 */
export class Spool {
  readonly dir: string;
  readonly #lock: DirLock;
  readonly #logger: Logger;
  readonly #maxBytes: number;
  readonly #openFile: OpenSegmentFile;
  /** Segments no longer appended to, oldest first. */
  readonly #sealed: Segment[];
  #nextSeq: number;
  #current: OpenSegment | undefined;
  #turn: Promise<unknown> = Promise.resolve();

  private constructor(dir: string, lock: DirLock, logger: Logger, sealed: Segment[], options: SpoolOptions) {
    this.dir = dir;
    this.#lock = lock;
    this.#logger = logger;
    this.#sealed = sealed;
    this.#maxBytes = options.maxBytes ?? DEFAULT_MAX_SPOOL_BYTES;
    this.#openFile = options.openFile ?? appendTo;
    const last = sealed.at(-1)?.path;
    this.#nextSeq = last ? Number(SEGMENT.exec(last.slice(dir.length + 1))![1]) + 1 : 1;
  }

  /**
   * Takes the directory for this process and finds segments a previous run left behind. A directory that
   * cannot be created, locked or read is a SpoolDirectoryError naming it and why.
   */
  static async open(dir: string, logger: Logger, options: SpoolOptions = {}): Promise<Spool> {
    const path = resolve(dir);
    const unusable = (error: unknown): never => {
      const { code, message } = error as NodeJS.ErrnoException;
      throw new SpoolDirectoryError(
        `prediction log: the spool directory ${path} cannot be used (${code ?? message})`,
      );
    };
    await mkdir(path, { recursive: true }).catch(unusable);
    const lock = await acquireDirLock(path, 'the prediction spool').catch((error: unknown) => {
      if ((error as Error).name === 'DirectoryInUseError') throw error;
      return unusable(error);
    });
    try {
      const names = (await readdir(path)).filter((name) => SEGMENT.test(name)).sort();
      const sealed = await Promise.all(
        names.map(async (name) => ({
          path: join(path, name),
          bytes: (await stat(join(path, name))).size,
          legacy: name.endsWith('.jsonl'),
        })),
      );
      return new Spool(path, lock, logger, sealed, options);
    } catch (error) {
      await lock.release();
      return unusable(error);
    }
  }

  get bytes(): number {
    return this.#sealed.reduce((sum, segment) => sum + segment.bytes, this.#current?.bytes ?? 0);
  }

  get isEmpty(): boolean {
    return this.#sealed.length === 0 && !this.#current?.bytes;
  }

  /**
   * Appends the records with one fsync and waits until they are on disk. Refuses them (SpoolFullError) past the
   * size bound; a write or fsync that fails is a SpoolWriteError, and none of the records is kept.
   */
  append(records: readonly SpoolRecord[]): Promise<void> {
    return this.#inTurn(async () => {
      const data = encodeRecords(records);
      if (this.bytes + data.length > this.#maxBytes) {
        throw new SpoolFullError(`the spool holds ${this.bytes} bytes, its bound is ${this.#maxBytes}`);
      }
      const segment = this.#current ?? (await this.#openSegment());
      try {
        await writeWhole(segment.file, data);
        await segment.file.datasync();
      } catch (error) {
        await this.#cutOff(segment);
        const { code, message } = error as NodeJS.ErrnoException;
        throw new SpoolWriteError(`writing the spool failed (${code ?? message}) in ${segment.path}`);
      }
      segment.bytes += data.length;
      if (segment.bytes >= SEGMENT_MAX_BYTES) await this.#seal();
    });
  }

  /**
   * Hands every spooled record, oldest first, to the sink; damaged stretches are skipped (and reported to it).
   * Stops at the first write that throws and rethrows it. Records appended meanwhile wait for the next replay.
   * Returns the number of records that went through.
   */
  async replay(sink: ReplaySink): Promise<number> {
    await this.#inTurn(() => this.#seal());
    let records = 0;
    while (this.#sealed.length > 0) {
      const segment = this.#sealed[0]!;
      // A segment of this process ends where its last whole append did; whatever a failed one left is not read.
      const data = (await readFile(segment.path)).subarray(0, segment.bytes);
      const decode = segment.legacy ? decodeLegacyLines : decodeRecords;
      for (const entry of decode(data)) {
        if (isDamaged(entry)) sink.skip(entry, segment.path);
        else {
          await sink.write(entry);
          records++;
        }
      }
      this.#sealed.shift();
      await this.#delete(segment.path);
    }
    return records;
  }

  async close(): Promise<void> {
    await this.#inTurn(() => this.#seal());
    await this.#lock.release();
  }

  #inTurn<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#turn.then(work);
    this.#turn = result.catch(() => {});
    return result;
  }

  async #openSegment(): Promise<OpenSegment> {
    const path = join(this.dir, `${String(this.#nextSeq++).padStart(12, '0')}.spool`);
    try {
      const file = await this.#openFile(path);
      this.#current = { path, bytes: 0, legacy: false, file };
      await syncDirectory(this.dir);
      return this.#current;
    } catch (error) {
      await this.#seal();
      const { code, message } = error as NodeJS.ErrnoException;
      throw new SpoolWriteError(`opening a spool segment failed (${code ?? message}) in ${this.dir}`);
    }
  }

  /**
   * After a failed append: the segment is cut back to its last whole append, and no longer written to (its file
   * may be what failed). Should the cut fail too, the replay reads this process's segments only up to their
   * last whole append, and a later process skips the rest by its checksum.
   */
  async #cutOff(segment: OpenSegment): Promise<void> {
    await segment.file.truncate(segment.bytes).catch(() => {});
    await this.#seal();
  }

  async #seal(): Promise<void> {
    const current = this.#current;
    if (!current) return;
    this.#current = undefined;
    await current.file.close().catch(() => {});
    if (current.bytes > 0) this.#sealed.push({ path: current.path, bytes: current.bytes, legacy: false });
    else await unlink(current.path).catch(() => {});
  }

  /**
   * A replayed segment is deleted. A directory that will not allow it (read-only) must not stop the log: the
   * segment is let go of, with a warning, and this process does not replay it again.
   */
  async #delete(path: string): Promise<void> {
    try {
      await unlink(path);
    } catch (error) {
      this.#logger.warn(
        'prediction spool: a replayed segment cannot be deleted; it is replayed again at the next start (its rows are skipped as already stored)',
        {
          segment: path,
          error: (error as NodeJS.ErrnoException).code ?? (error as Error).message,
        },
      );
    }
  }
}

export interface SpoolOptions {
  /** Bytes the spool may hold at most; default 256 MiB. */
  maxBytes?: number | undefined;
  openFile?: OpenSegmentFile | undefined;
}

/** Writes all of `data`: a write may take only part of it (a disk filling up), and the rest must follow or fail. */
async function writeWhole(file: SegmentFile, data: Buffer): Promise<void> {
  let written = 0;
  while (written < data.length) {
    const { bytesWritten } = await file.write(data, written, data.length - written);
    if (bytesWritten <= 0) throw new Error('the write took no bytes');
    written += bytesWritten;
  }
}

/** Makes a new file's directory entry durable, not only its contents. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
