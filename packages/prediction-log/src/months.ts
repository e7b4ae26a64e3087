/**
 * Calendar months in UTC, as the log's partitions cut time: a month is a whole number (year × 12 + month
 * index), so that "the month after" and "twelve months before" are plain arithmetic.
 */
export type Month = number;

export function monthOf(time: Date): Month {
  return time.getUTCFullYear() * 12 + time.getUTCMonth();
}

/** The month's first instant, UTC. */
export function monthStart(month: Month): Date {
  return new Date(Date.UTC(Math.floor(month / 12), month % 12, 1));
}

/** `2027_01`: how a month is written in a partition's name. */
export function monthLabel(month: Month): string {
  const year = Math.floor(month / 12);
  return `${year}_${String((month % 12) + 1).padStart(2, '0')}`;
}

/** The month a `monthLabel` names, or undefined when the text is not one. */
export function parseMonthLabel(label: string): Month | undefined {
  const match = /^(\d{4})_(\d{2})$/.exec(label);
  if (!match) return undefined;
  const monthIndex = Number(match[2]) - 1;
  if (monthIndex < 0 || monthIndex > 11) return undefined;
  return Number(match[1]) * 12 + monthIndex;
}
