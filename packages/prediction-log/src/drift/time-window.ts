export class TimeBoundError extends Error {
  override name = 'TimeBoundError';
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const AGO = /^(\d{1,6})([mhdw])$/;
/** A date (midnight UTC), or a date and time with its offset: a time without one would be ambiguous. */
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/**
 * A `since`/`until` bound: an ISO 8601 time (`2026-05-01`, `2026-05-01T08:00:00Z`) or a duration before
 * `now` (`30m`, `24h`, `7d`, `2w`).
 */
export function parseTimeBound(text: string, now: Date = new Date()): Date {
  const ago = AGO.exec(text);
  if (ago) return new Date(now.getTime() - Number(ago[1]) * UNIT_MS[ago[2] as keyof typeof UNIT_MS]);
  const time = ISO.test(text) ? new Date(text) : undefined;
  if (!time || Number.isNaN(time.getTime())) {
    throw new TimeBoundError(
      `"${text}" is not a time: use an ISO 8601 time (2026-05-01 or 2026-05-01T08:00:00Z) or a duration ago (30m, 24h, 7d, 2w)`,
    );
  }
  return time;
}
