/**
 * A source of UUIDv7s (RFC 9562): 48 bits of Unix time in milliseconds, a 12-bit counter that orders the ids
 * made within one millisecond (RFC 9562 §6.2, method 1), and 62 random bits. Time-ordered, so an index on
 * these ids grows at its end instead of taking each insert at a random page; strictly increasing per source,
 * even when `ms` goes back. Each kind of id has its own source, so one kind's clock does not push another's.
 */
export function uuidV7Source(): (ms?: number) => string {
  let lastMs = -1;
  let counter = 0;
  /** `lastMs` as 12 hex digits, split as the id's first two groups: made once per millisecond. */
  let timeGroups = '';
  return (ms = Date.now()) => {
    if (ms > lastMs) {
      lastMs = ms;
      counter = 0;
      timeGroups = '';
    } else if (++counter > 0xfff) {
      lastMs++;
      counter = 0;
      timeGroups = '';
    }
    if (timeGroups === '') {
      const time = lastMs.toString(16).padStart(12, '0');
      timeGroups = `${time.slice(0, 8)}-${time.slice(8)}`;
    }
    // A v4 UUID's last two groups are the variant bits and 62 random bits, which is what a v7 ends with too.
    return `${timeGroups}-7${counter.toString(16).padStart(3, '0')}-${crypto.randomUUID().slice(19)}`;
  };
}
