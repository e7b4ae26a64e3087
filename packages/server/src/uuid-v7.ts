import { randomFillSync } from 'node:crypto';

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
/** Random bytes drawn 4 KiB at a time: one system call per 512 ids. */
const random = new Uint8Array(4096);
let randomOffset = random.length;
let lastMs = -1;
let counter = 0;

/**
 * A UUIDv7 (RFC 9562), for request ids and logged rows: 48 bits of Unix time in milliseconds, a 12-bit counter that orders
 * the ids made within one millisecond (RFC 9562 §6.2, method 1), and 62 random bits. Time-ordered, so an index
 * on these ids grows at its end instead of taking each insert at a random page; strictly increasing within the
 * process, even when `ms` goes back.
 */
export function uuidV7(ms = Date.now()): string {
  if (ms > lastMs) {
    lastMs = ms;
    counter = 0;
  } else if (++counter > 0xfff) {
    lastMs++;
    counter = 0;
  }
  if (randomOffset === random.length) {
    randomFillSync(random);
    randomOffset = 0;
  }
  const r = randomOffset;
  randomOffset += 8;
  const time = lastMs.toString(16).padStart(12, '0');
  const bytes = (from: number, to: number) => {
    let text = '';
    for (let i = from; i < to; i++) text += HEX[random[r + i]!];
    return text;
  };
  return `${time.slice(0, 8)}-${time.slice(8)}-7${counter.toString(16).padStart(3, '0')}-${HEX[(random[r]! & 0x3f) | 0x80]}${bytes(1, 2)}-${bytes(2, 8)}`;
}
