import { closeSync, openSync, readSync } from 'node:fs';
import { CsvParser, type CsvRecord, CsvSyntaxError } from '@glyco/contract';
import { TrainingDataError } from './errors.ts';

const CHUNK_BYTES = 1 << 20;

/** Every record of a CSV file, read and decoded a chunk at a time; a syntax error is bad training data. */
export function* csvFileRecords(path: string): Generator<CsvRecord> {
  const parser = new CsvParser();
  const decoder = new TextDecoder('utf-8');
  const buffer = new Uint8Array(CHUNK_BYTES);
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      yield* parser.push(decoder.decode(buffer.subarray(0, read), { stream: true }));
    }
    yield* parser.push(decoder.decode());
    yield* parser.end();
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new TrainingDataError(error.message);
    throw error;
  } finally {
    closeSync(fd);
  }
}
