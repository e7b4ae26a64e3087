import { crc32 } from 'node:zlib';

/**
 * One entry of the spool: a payload (for the log, a batch of rows as JSON) and the number of rows it holds, so
 * that a record found damaged can still be counted. The spool never looks inside a payload.
 */
export interface SpoolRecord {
  rows: number;
  payload: string;
}

/** A stretch of a segment that is no whole record: a write cut short, or bytes that changed on disk. */
export interface DamagedRecord {
  /** The rows it held, when its header survived. */
  rows: number | undefined;
  bytes: number;
  reason: string;
}

/**
 * A record on disk: RS (0x1E, as in RFC 7464's JSON text sequences), a header `1 <rows> <bytes> <crc32>` and a
 * line feed, the payload, a line feed. The length and the CRC-32 tell a whole record from a torn or damaged
 * one; RS, which JSON.stringify never writes raw, marks where the next record starts, so a damaged one costs
 * only itself, not the rest of its segment.
 */
const RS = 0x1e;
const LF = 0x0a;
const HEADER = /^1 (\d{1,9}) (\d{1,10}) ([0-9a-f]{8})$/;
const MAX_HEADER_BYTES = 40;

export function encodeRecords(records: readonly SpoolRecord[]): Buffer {
  const parts: Buffer[] = [];
  for (const { rows, payload } of records) {
    if (payload.includes('\x1e') || payload.includes('\n')) {
      throw new Error('a spool payload must not hold a record separator (0x1E) or a line feed');
    }
    const body = Buffer.from(payload, 'utf8');
    const crc = crc32(body).toString(16).padStart(8, '0');
    parts.push(Buffer.from(`\x1e1 ${rows} ${body.length} ${crc}\n`, 'latin1'), body, Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

/** The records of a segment in order, and every damaged stretch between them, in one pass. */
export function* decodeRecords(data: Buffer): Generator<SpoolRecord | DamagedRecord> {
  let at = 0;
  while (at < data.length) {
    const next = data.indexOf(RS, at + 1);
    const end = next < 0 ? data.length : next;
    if (data[at] !== RS) {
      yield { rows: undefined, bytes: end - at, reason: 'bytes outside any record' };
      at = end;
      continue;
    }
    const headerEnd = data.indexOf(LF, at);
    const header =
      headerEnd > at && headerEnd < end && headerEnd - at <= MAX_HEADER_BYTES
        ? HEADER.exec(data.toString('latin1', at + 1, headerEnd))
        : null;
    if (!header) {
      yield { rows: undefined, bytes: end - at, reason: 'a record header cut short or damaged' };
      at = end;
      continue;
    }
    const rows = Number(header[1]);
    const payloadStart = headerEnd + 1;
    const payloadEnd = payloadStart + Number(header[2]);
    if (payloadEnd + 1 > end) {
      yield { rows, bytes: end - at, reason: 'a record cut short' };
      at = end;
      continue;
    }
    const payload = data.subarray(payloadStart, payloadEnd);
    if (data[payloadEnd] !== LF || crc32(payload).toString(16).padStart(8, '0') !== header[3]) {
      yield { rows, bytes: end - at, reason: 'a record whose checksum does not match' };
      at = end;
      continue;
    }
    yield { rows, payload: payload.toString('utf8') };
    at = payloadEnd + 1;
  }
}

/**
 * Segments written before records had a length and a checksum (`.jsonl`): one `<rows>\t<payload>` line each.
 * Read so that a spool left by the previous version is replayed after an upgrade.
 */
export function* decodeLegacyLines(data: Buffer): Generator<SpoolRecord | DamagedRecord> {
  const text = data.toString('utf8');
  let at = 0;
  while (at < text.length) {
    const newline = text.indexOf('\n', at);
    if (newline < 0) {
      yield { rows: undefined, bytes: Buffer.byteLength(text.slice(at)), reason: 'a line cut short' };
      return;
    }
    const line = text.slice(at, newline);
    at = newline + 1;
    const tab = line.indexOf('\t');
    const rows = Number(line.slice(0, tab));
    if (tab > 0 && Number.isInteger(rows) && rows > 0) yield { rows, payload: line.slice(tab + 1) };
    else if (line !== '')
      yield { rows: undefined, bytes: Buffer.byteLength(line), reason: 'not a spool line' };
  }
}

export function isDamaged(entry: SpoolRecord | DamagedRecord): entry is DamagedRecord {
  return 'reason' in entry;
}
