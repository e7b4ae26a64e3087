import { describe, expect, it } from 'vitest';
import { RecordQueue } from '../src/record-queue.ts';
import { prediction } from './support/records.ts';

describe('the record queue', () => {
  const drain = (queue: RecordQueue, max: number) => {
    const taken: string[] = [];
    queue.take(max, (record, rowIndex) => taken.push(`${record.requestId}#${rowIndex}`));
    return taken;
  };

  it('hands out rows oldest first, in batches that cut across requests, each with its index in its request', () => {
    const queue = new RecordQueue();
    queue.push([prediction('a'), prediction('a')]);
    queue.push([prediction('b')]);
    queue.push([prediction('c'), prediction('c'), prediction('c')]);
    expect(queue.rows).toBe(6);
    expect(drain(queue, 3)).toEqual(['a#0', 'a#1', 'b#0']);
    expect(drain(queue, 2)).toEqual(['c#0', 'c#1']);
    queue.push([prediction('d')]);
    expect(drain(queue, 10)).toEqual(['c#2', 'd#0']);
    expect(queue.rows).toBe(0);
    expect(drain(queue, 10)).toEqual([]);
  });

  it('stays correct over many small pushes and takes (compaction)', () => {
    const queue = new RecordQueue();
    const all: string[] = [];
    for (let i = 0; i < 5000; i++) {
      queue.push([prediction(`r${i}`)]);
      if (i % 7 === 0) all.push(...drain(queue, 3));
    }
    all.push(...drain(queue, 10_000));
    expect(all).toEqual(Array.from({ length: 5000 }, (_, i) => `r${i}#0`));
  });
});
