import { type FileHandle, mkdir, open, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from '@glyco/logger';
import { acquireDirLock, type DirLock } from './dir-lock.ts';

const SEGMENT = /^(\d{12})\.jsonl$/;
type OpenSegment = { handle: FileHandle; path: string; bytes: number };
/** A segment is read whole when replayed: keep each one small. */
const SEGMENT_MAX_BYTES = 16 * 1024 * 1024;
/** Default bound of the whole spool: a full /tmp (Lambda) or an evicted pod (EKS emptyDir limit) is worse. */
export const DEFAULT_MAX_SPOOL_BYTES = 256 * 1024 * 1024;

export class SpoolFullError extends Error {
  override name = 'SpoolFullError';
}

/**
 * An append-only, fsync'd file queue of batches (one JSON line each) kept while the database is unavailable.
 * Lines go into numbered segment files; a replay seals the segment being written, hands every line of every
 * sealed segment to the writer in order, and deletes a segment only once all its lines went through. A replay
 * cut short repeats lines next time, which the table's unique key turns into no-ops: exactly once, in order.
 */
export class Spool {
  readonly dir: string;
  readonly #lock: DirLock;
  readonly #logger: Logger;
  readonly #maxBytes: number;
  /** Segments no longer appended to, oldest first. */
  readonly #sealed: { path: string; bytes: number }[];
  #nextSeq: number;
  #current: OpenSegment | undefined;
  #turn: Promise<unknown> = Promise.resolve();

  private constructor(
    dir: string,
    lock: DirLock,
    logger: Logger,
    sealed: { path: string; bytes: number }[],
    maxBytes: number,
  ) {
    this.dir = dir;
    this.#maxBytes = maxBytes;
    this.#lock = lock;
    this.#logger = logger;
    this.#sealed = sealed;
    const last = sealed.at(-1)?.path.slice(-18, -6);
    this.#nextSeq = last ? Number(last) + 1 : 1;
  }

  /** Takes the directory for this process and finds segments a previous run left behind. */
  static async open(dir: string, logger: Logger, maxBytes = DEFAULT_MAX_SPOOL_BYTES): Promise<Spool> {
    const path = resolve(dir);
    await mkdir(path, { recursive: true });
    const lock = await acquireDirLock(path, 'the prediction spool');
    try {
      const names = (await readdir(path)).filter((name) => SEGMENT.test(name)).sort();
      const sealed = await Promise.all(
        names.map(async (name) => ({ path: join(path, name), bytes: (await stat(join(path, name))).size })),
      );
      return new Spool(path, lock, logger, sealed, maxBytes);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  get bytes(): number {
    return this.#sealed.reduce((sum, segment) => sum + segment.bytes, this.#current?.bytes ?? 0);
  }

  get isEmpty(): boolean {
    return this.#sealed.length === 0 && !this.#current?.bytes;
  }

  /** Appends one line and waits until it is on disk; refuses it (SpoolFullError) past the size bound. */
  append(line: string): Promise<void> {
    return this.#inTurn(async () => {
      const data = Buffer.from(`${line}\n`);
      if (this.bytes + data.length > this.#maxBytes) {
        throw new SpoolFullError(`the spool holds ${this.bytes} bytes, its bound is ${this.#maxBytes}`);
      }
      const current = this.#current ?? (await this.#openSegment());
      try {
        await current.handle.write(data);
        await current.handle.datasync();
      } catch (error) {
        // A failed write may leave a partial line: end this segment there so later lines stay whole.
        await this.#seal();
        throw error;
      }
      current.bytes += data.length;
      if (current.bytes >= SEGMENT_MAX_BYTES) await this.#seal();
    });
  }

  /**
   * Hands every spooled line, oldest first, to `write`; stops at the first that throws and rethrows it.
   * Lines appended meanwhile wait for the next replay. Returns the number of lines that went through.
   */
  async replay(write: (line: string) => Promise<void>): Promise<number> {
    await this.#inTurn(() => this.#seal());
    let lines = 0;
    while (this.#sealed.length > 0) {
      const segment = this.#sealed[0]!;
      const text = await readFile(segment.path, 'utf8');
      const end = text.lastIndexOf('\n') + 1;
      if (end < text.length) {
        this.#logger.warn('spool segment ends in a partial line (a write cut short); skipping it', {
          segment: segment.path,
          bytes: text.length - end,
        });
      }
      for (const line of text.slice(0, end).split('\n')) {
        if (line === '') continue;
        await write(line);
        lines++;
      }
      await unlink(segment.path);
      this.#sealed.shift();
    }
    return lines;
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
    const path = join(this.dir, `${String(this.#nextSeq++).padStart(12, '0')}.jsonl`);
    const handle = await open(path, 'a');
    await syncDirectory(this.dir);
    this.#current = { handle, path, bytes: 0 };
    return this.#current;
  }

  async #seal(): Promise<void> {
    const current = this.#current;
    if (!current) return;
    this.#current = undefined;
    await current.handle.close().catch(() => {});
    if (current.bytes > 0) this.#sealed.push({ path: current.path, bytes: current.bytes });
    else await unlink(current.path).catch(() => {});
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
