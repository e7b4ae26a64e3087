import { describe, expect, it } from 'vitest';
import { TokenBuckets } from '../../src/limits/token-buckets.ts';

function clock() {
  let ms = 0;
  return { now: () => ms, advance: (seconds: number) => (ms += seconds * 1000) };
}

describe('a token bucket per client', () => {
  it('lets a client spend its burst at once, then its rate, and says how long to wait', () => {
    const time = clock();
    const buckets = new TokenBuckets({ perSecond: 2, burst: 4 }, { now: time.now });
    expect([1, 2, 3, 4].map(() => buckets.take('a'))).toEqual([0, 0, 0, 0]);
    expect(buckets.take('a')).toBe(0.5);
    time.advance(0.5);
    expect(buckets.take('a')).toBe(0);
    expect(buckets.take('b')).toBe(0);
  });

  it('never holds more than its burst, however long a client was idle', () => {
    const time = clock();
    const buckets = new TokenBuckets({ perSecond: 1, burst: 2 }, { now: time.now });
    buckets.take('a');
    time.advance(3600);
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a')]).toEqual([0, 0, 1]);
  });

  it('passes one cost above the burst from a full bucket and makes the client wait it off', () => {
    const time = clock();
    const buckets = new TokenBuckets({ perSecond: 10, burst: 10 }, { now: time.now });
    expect(buckets.take('a', 25)).toBe(0);
    expect(buckets.take('a', 1)).toBeCloseTo(1.6);
    time.advance(1.6);
    expect(buckets.take('a', 1)).toBe(0);
  });

  it('keeps at most maxClients buckets, dropping the least recently seen', () => {
    const time = clock();
    const buckets = new TokenBuckets({ perSecond: 1, burst: 1 }, { now: time.now, maxClients: 3 });
    for (const client of ['a', 'b', 'c']) buckets.take(client);
    expect(buckets.take('a')).toBe(1);
    buckets.take('d');
    expect(buckets.size).toBe(3);
    // b was the least recently seen: it starts over with a full bucket; a kept its empty one.
    expect(buckets.take('b')).toBe(0);
    expect(buckets.take('a')).toBeGreaterThan(0);
  });
});
