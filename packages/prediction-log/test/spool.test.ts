import { appendFile, mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryInUseError } from '../src/dir-lock.ts';
import {
  type DamagedRecord,
  type OpenSegmentFile,
  Spool,
  SpoolDirectoryError,
  SpoolFullError,
  SpoolWriteError,
} from '../src/spool.ts';
import { encodeRecords } from '../src/spool-records.ts';
import { describeWithTmpfs, mountTmpfs, type TestFilesystem } from './support/filesystems.ts';
import { memoryLogger } from './support/records.ts';

const record = (payload: string, rows = 1) => ({ rows, payload });

/** Everything a replay hands out: the payloads in order, and the damaged stretches it skipped. */
async function replayAll(spool: Spool) {
  const payloads: string[] = [];
  const damaged: DamagedRecord[] = [];
  await spool.replay({
    write: async ({ payload }) => void payloads.push(payload),
    skip: (stretch) => void damaged.push(stretch),
  });
  return { payloads, damaged };
}

async function segmentPaths(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => /^\d{12}\./.test(name)).map((name) => join(dir, name));
}

/** Segment files whose writes and fsyncs a test decides on: the disk of a fault, without root. */
function faultyDisk(fault: {
  write?: (length: number) => number | Error;
  datasync?: Error;
}): OpenSegmentFile {
  return async (path) => {
    const file = await open(path, 'a');
    return {
      async write(data, offset, length) {
        const outcome = fault.write?.(length) ?? length;
        if (outcome instanceof Error) throw outcome;
        return file.write(data, offset, outcome);
      },
      async datasync() {
        if (fault.datasync) throw fault.datasync;
        return file.datasync();
      },
      truncate: (length) => file.truncate(length),
      close: () => file.close(),
    };
  };
}

const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

describe('the on-disk spool', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'glyco-spool-test-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('hands back appended records in order, across replays and restarts, then is empty', async () => {
    const first = await Spool.open(dir, memoryLogger());
    await first.append([record('[1]')]);
    await first.append([record('[2]'), record('[3]')]);
    await first.close();

    const second = await Spool.open(dir, memoryLogger());
    expect(second.isEmpty).toBe(false);
    await second.append([record('[4]')]);
    expect(await replayAll(second)).toEqual({ payloads: ['[1]', '[2]', '[3]', '[4]'], damaged: [] });
    expect(second.isEmpty).toBe(true);
    expect(second.bytes).toBe(0);
    await second.append([record('[5]')]);
    expect((await replayAll(second)).payloads).toEqual(['[5]']);
    await second.close();
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps a segment whose replay failed, and replays it whole next time', async () => {
    const spool = await Spool.open(dir, memoryLogger());
    for (const payload of ['[1]', '[2]', '[3]']) await spool.append([record(payload)]);
    const seen: string[] = [];
    const failing = spool.replay({
      write: async ({ payload }) => {
        if (payload === '[2]') throw new Error('database went away');
        seen.push(payload);
      },
      skip: () => {},
    });
    await expect(failing).rejects.toThrow('database went away');
    expect(seen).toEqual(['[1]']);
    expect(spool.isEmpty).toBe(false);
    expect((await replayAll(spool)).payloads).toEqual(['[1]', '[2]', '[3]']);
    await spool.close();
  });

  it('skips a record a crash cut short, counting its rows, and keeps the whole records before it', async () => {
    const previous = await Spool.open(dir, memoryLogger());
    await previous.append([record('[1]', 3), record('[2]', 4)]);
    await previous.close();
    const [segment] = await segmentPaths(dir);
    // What a process killed in the middle of a write leaves: the start of one more record.
    const next = encodeRecords([record('[3,4,5]', 3)]);
    await appendFile(segment!, next.subarray(0, next.length - 3));

    const spool = await Spool.open(dir, memoryLogger());
    const { payloads, damaged } = await replayAll(spool);
    expect(payloads).toEqual(['[1]', '[2]']);
    expect(damaged).toEqual([{ rows: 3, bytes: next.length - 3, reason: 'a record cut short' }]);
    await spool.close();
  });

  it('skips a record whose bytes changed on disk, and replays the records after it', async () => {
    const previous = await Spool.open(dir, memoryLogger());
    await previous.append([record('["a","b"]', 2), record('["c"]', 1), record('["d"]', 1)]);
    await previous.close();
    const [segment] = await segmentPaths(dir);
    const bytes = await readFile(segment!);
    bytes[bytes.indexOf('"a"')] = 0x41; // one flipped byte in the first record's payload
    await writeFile(segment!, bytes);

    const spool = await Spool.open(dir, memoryLogger());
    const { payloads, damaged } = await replayAll(spool);
    expect(payloads).toEqual(['["c"]', '["d"]']);
    expect(damaged).toEqual([
      { rows: 2, bytes: expect.any(Number), reason: 'a record whose checksum does not match' },
    ]);
    await spool.close();
  });

  it('replays a segment of the previous format (one "<rows>\\t<payload>" line each) left by an older version', async () => {
    await writeFile(join(dir, '000000000001.jsonl'), '2\t[1,2]\n1\t[3]\n1\t[{"cut');
    const spool = await Spool.open(dir, memoryLogger());
    await spool.append([record('[4]')]);
    const { payloads, damaged } = await replayAll(spool);
    expect(payloads).toEqual(['[1,2]', '[3]', '[4]']);
    expect(damaged).toEqual([{ rows: undefined, bytes: 8, reason: 'a line cut short' }]);
    await spool.close();
  });

  it('takes none of an append whose write is cut short, and keeps the segment whole for the next one', async () => {
    let calls = 0;
    // The disk fills up in the middle of the second append: half of it is written, then ENOSPC.
    const openFile = faultyDisk({
      write: (length) => (++calls === 2 ? Math.floor(length / 2) : calls === 3 ? enospc() : length),
    });
    const spool = await Spool.open(dir, memoryLogger(), { openFile });
    await spool.append([record('[1]')]);
    await expect(spool.append([record('["lost"]', 5)])).rejects.toThrow(SpoolWriteError);
    await spool.append([record('[3]')]);
    await spool.close();
    expect(await replayAll(await Spool.open(dir, memoryLogger()))).toEqual({
      payloads: ['[1]', '[3]'],
      damaged: [],
    });
  });

  it('takes none of an append whose fsync fails', async () => {
    const fault: { datasync?: Error } = {};
    const spool = await Spool.open(dir, memoryLogger(), { openFile: faultyDisk(fault) });
    await spool.append([record('[1]')]);
    fault.datasync = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    await expect(spool.append([record('[2]')])).rejects.toThrow('writing the spool failed (EIO)');
    delete fault.datasync;
    await spool.append([record('[3]')]);
    expect(await replayAll(spool)).toEqual({ payloads: ['[1]', '[3]'], damaged: [] });
    await spool.close();
  });

  it('refuses records that would take it past its size bound, and takes records again once replayed', async () => {
    const spool = await Spool.open(dir, memoryLogger(), { maxBytes: 40 });
    await spool.append([record('[12345]')]);
    await expect(spool.append([record('[6]')])).rejects.toBeInstanceOf(SpoolFullError);
    expect((await replayAll(spool)).payloads).toEqual(['[12345]']);
    await spool.append([record('[6]')]);
    await spool.close();
  });

  it('belongs to one process at a time, and a lock left by a dead process is taken over', async () => {
    const spool = await Spool.open(dir, memoryLogger());
    await expect(Spool.open(dir, memoryLogger())).rejects.toBeInstanceOf(DirectoryInUseError);
    await spool.close();

    // A pid that no process has (beyond the kernel's pid_max).
    await writeFile(join(dir, 'glyco.lock'), '99999999\n');
    const next = await Spool.open(dir, memoryLogger());
    await next.close();
  });

  it('names the process that holds it', async () => {
    await writeFile(join(dir, 'glyco.lock'), `${process.ppid}\n`);
    await expect(Spool.open(dir, memoryLogger())).rejects.toThrow(`in use by process ${process.ppid}`);
  });

  it('names a directory it cannot use, and why, in one line', async () => {
    const notADirectory = join(dir, 'file');
    await writeFile(notADirectory, '');
    const opening = Spool.open(notADirectory, memoryLogger());
    await expect(opening).rejects.toBeInstanceOf(SpoolDirectoryError);
    await expect(opening).rejects.toThrow(
      `prediction log: the spool directory ${notADirectory} cannot be used (EEXIST)`,
    );
  });
});

describeWithTmpfs('the spool on a real disk that fills up or turns read-only', () => {
  let disk: TestFilesystem;
  beforeEach(async () => {
    disk = await mountTmpfs(1024 * 1024);
  });
  afterEach(() => disk.unmount());

  it('holds exactly the appends it acknowledged when the disk runs full, and none of the others', async () => {
    const spool = await Spool.open(disk.dir, memoryLogger());
    const payload = (i: number) => JSON.stringify([i, 'x'.repeat(3000 + (i % 7) * 500)]);
    const acknowledged: string[] = [];
    let refused = 0;
    for (let i = 0; i < 600; i++) {
      try {
        await spool.append([record(payload(i))]);
        acknowledged.push(payload(i));
      } catch (error) {
        expect(error).toBeInstanceOf(SpoolWriteError);
        expect((error as Error).message).toMatch(/ENOSPC/);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
    expect(acknowledged.length).toBeGreaterThan(0);
    await spool.close();
    expect(await replayAll(await Spool.open(disk.dir, memoryLogger()))).toEqual({
      payloads: acknowledged,
      damaged: [],
    });
  });

  it('lets go of segments it replayed but may not delete on a read-only disk, with a warning, and does not replay them again', async () => {
    const logger = memoryLogger();
    const spool = await Spool.open(disk.dir, logger);
    await spool.append([record('[1]')]);
    // A replay that failed (the database still away) closed the segment; then the disk turns read-only.
    const failing = spool.replay({ write: () => Promise.reject(new Error('still away')), skip: () => {} });
    await expect(failing).rejects.toThrow('still away');
    await disk.readOnly();
    expect((await replayAll(spool)).payloads).toEqual(['[1]']);
    expect(spool.isEmpty).toBe(true);
    expect((await replayAll(spool)).payloads).toEqual([]);
    expect(logger.lines).toEqual([
      expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ error: 'EROFS' }) }),
    ]);
    await expect(spool.append([record('[2]')])).rejects.toThrow('(EROFS)');
    await spool.close();
    await disk.writable();
  });

  it('names a read-only directory it cannot take, in one line', async () => {
    const spoolDir = join(disk.dir, 'spool');
    await mkdir(spoolDir);
    await disk.readOnly();
    await expect(Spool.open(spoolDir, memoryLogger())).rejects.toThrow(
      `prediction log: the spool directory ${spoolDir} cannot be used (EROFS)`,
    );
    await disk.writable();
  });
});
