import { appendFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryInUseError } from '../src/dir-lock.ts';
import { Spool, SpoolFullError } from '../src/spool.ts';
import { memoryLogger } from './support/records.ts';

describe('the on-disk spool', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'glyco-spool-test-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const replayAll = async (spool: Spool) => {
    const lines: string[] = [];
    await spool.replay(async (line) => {
      lines.push(line);
    });
    return lines;
  };

  it('hands back appended lines in order, across replays and restarts, then is empty', async () => {
    const first = await Spool.open(dir, memoryLogger());
    await first.append('[1]');
    await first.append('[2]');
    await first.close();

    const second = await Spool.open(dir, memoryLogger());
    expect(second.isEmpty).toBe(false);
    await second.append('[3]');
    expect(await replayAll(second)).toEqual(['[1]', '[2]', '[3]']);
    expect(second.isEmpty).toBe(true);
    expect(second.bytes).toBe(0);
    await second.append('[4]');
    expect(await replayAll(second)).toEqual(['[4]']);
    await second.close();
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps a segment whose replay failed, and replays it whole next time', async () => {
    const spool = await Spool.open(dir, memoryLogger());
    for (const line of ['[1]', '[2]', '[3]']) await spool.append(line);
    const seen: string[] = [];
    await expect(
      spool.replay(async (line) => {
        if (line === '[2]') throw new Error('database went away');
        seen.push(line);
      }),
    ).rejects.toThrow('database went away');
    expect(seen).toEqual(['[1]']);
    expect(spool.isEmpty).toBe(false);
    expect(await replayAll(spool)).toEqual(['[1]', '[2]', '[3]']);
    await spool.close();
  });

  it('skips a last line cut short by a crash, with a warning, and keeps the whole lines before it', async () => {
    await writeFile(join(dir, '000000000001.jsonl'), '[1]\n[2]\n');
    await appendFile(join(dir, '000000000001.jsonl'), '[{"request_id":"cut');
    const logger = memoryLogger();
    const spool = await Spool.open(dir, logger);
    expect(await replayAll(spool)).toEqual(['[1]', '[2]']);
    expect(logger.lines).toEqual([expect.objectContaining({ level: 'warn' })]);
    await spool.close();
  });

  it('refuses a line that would take it past its size bound, and takes lines again once replayed', async () => {
    const spool = await Spool.open(dir, memoryLogger(), 10);
    await spool.append('[12345]');
    await expect(spool.append('[6]')).rejects.toBeInstanceOf(SpoolFullError);
    expect(await replayAll(spool)).toEqual(['[12345]']);
    await spool.append('[6]');
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
});
