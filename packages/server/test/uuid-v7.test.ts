import { describe, expect, it } from 'vitest';
import { uuidV7 } from '../src/uuid-v7.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidV7', () => {
  it('is a UUIDv7 whose first 48 bits are the given Unix milliseconds', () => {
    const ms = Date.UTC(2026, 4, 1, 12, 0, 0, 123);
    const id = uuidV7(ms);
    expect(id).toMatch(UUID_V7);
    expect(Number.parseInt(id.replace('-', '').slice(0, 12), 16)).toBe(ms);
  });

  it('increases strictly in the order ids are made, within one millisecond and when the clock goes back', () => {
    const ms = Date.UTC(2030, 0, 1);
    const ids = [
      ...Array.from({ length: 5000 }, () => uuidV7(ms)), // past the 4096 a millisecond's counter holds
      uuidV7(ms - 10_000),
      uuidV7(ms + 10_000),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id, i) => i === 0 || ids[i - 1]! < id)).toBe(true);
    expect(ids.every((id) => UUID_V7.test(id))).toBe(true);
  });
});
