import { describe, expect, it } from 'vitest';
import { parseTimeBound, TimeBoundError } from '../../src/drift/time-window.ts';

const now = new Date('2026-06-15T12:00:00.000Z');

describe('a since/until bound', () => {
  it('takes a duration before now', () => {
    expect(parseTimeBound('30m', now).toISOString()).toBe('2026-06-15T11:30:00.000Z');
    expect(parseTimeBound('24h', now).toISOString()).toBe('2026-06-14T12:00:00.000Z');
    expect(parseTimeBound('7d', now).toISOString()).toBe('2026-06-08T12:00:00.000Z');
    expect(parseTimeBound('2w', now).toISOString()).toBe('2026-06-01T12:00:00.000Z');
  });

  it('takes an ISO 8601 date (midnight UTC) or a date-time with its offset', () => {
    expect(parseTimeBound('2026-05-01', now).toISOString()).toBe('2026-05-01T00:00:00.000Z');
    expect(parseTimeBound('2026-05-01T08:30:00+02:00', now).toISOString()).toBe('2026-05-01T06:30:00.000Z');
    expect(parseTimeBound('2026-05-01T08:30Z', now).toISOString()).toBe('2026-05-01T08:30:00.000Z');
  });

  it.each(['yesterday', '2026-05-01T08:30:00', '2026-13-01', '5 days', '-3d', ''])(
    'refuses %j and says what it takes',
    (text) => {
      expect(() => parseTimeBound(text, now)).toThrow(TimeBoundError);
      expect(() => parseTimeBound(text, now)).toThrow('use an ISO 8601 time');
    },
  );
});
