import { describe, expect, it } from 'vitest';
import { uuidV7Source } from '../src/uuid-v7.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const timeOf = (id: string) => Number.parseInt(id.replace('-', '').slice(0, 12), 16);

describe('uuidV7Source', () => {
  it('makes UUIDv7s whose first 48 bits are the given Unix milliseconds', () => {
    const ms = Date.UTC(2026, 4, 1, 12, 0, 0, 123);
    const id = uuidV7Source()(ms);
    expect(id).toMatch(UUID_V7);
    expect(timeOf(id)).toBe(ms);
  });

  it('increases strictly in the order ids are made, within one millisecond and when the clock goes back', () => {
    const next = uuidV7Source();
    const ms = Date.UTC(2030, 0, 1);
    const ids = [
      ...Array.from({ length: 5000 }, () => next(ms)), // past the 4096 a millisecond's counter holds
      next(ms - 10_000),
      next(ms + 10_000),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id, i) => i === 0 || ids[i - 1]! < id)).toBe(true);
    expect(ids.every((id) => UUID_V7.test(id))).toBe(true);
  });

  it('keeps each source to its own clock: ids made later elsewhere do not move its time', () => {
    const requestIds = uuidV7Source();
    const rowIds = uuidV7Source();
    const ms = Date.UTC(2030, 0, 1);
    requestIds(ms + 50);
    expect(timeOf(rowIds(ms))).toBe(ms);
  });
});
