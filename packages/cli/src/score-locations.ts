/**
 * Where `glyco score` reads its data and writes its output: a local file, `-` (stdin, stdout), or an S3 object
 * (`s3://bucket/key`), each streamed so that a file of any size costs the same memory.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { CliError } from './cli.ts';

const CHUNK_BYTES = 1 << 20;
const S3_URI = /^s3:\/\/([^/]+)\/(.+)$/;

/** `s3://bucket/key` split, or undefined for anything else; an `s3://` without a key is refused. */
export function s3Location(uri: string): { bucket: string; key: string } | undefined {
  if (!uri.startsWith('s3://')) return undefined;
  const match = S3_URI.exec(uri);
  if (!match) throw new CliError(`${uri} is not an S3 object URI; expected s3://<bucket>/<key>`, 2);
  return { bucket: match[1]!, key: match[2]! };
}

/** The text of `location`, in chunks: UTF-8, decoded across chunk boundaries. */
export async function openInput(location: string, s3: () => S3Client): Promise<AsyncIterable<string>> {
  let stream: Readable;
  const object = s3Location(location);
  if (object) {
    try {
      const { Body } = await s3().send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key }));
      stream = Body as Readable;
    } catch (error) {
      throw new CliError(`cannot read ${location}: ${(error as Error).name}: ${(error as Error).message}`);
    }
  } else if (location === '-') {
    stream = process.stdin;
  } else {
    stream = createReadStream(location, { highWaterMark: CHUNK_BYTES });
    // A missing file fails at open, before any text: say so as a one-line error.
    await once(stream, 'open').catch((error: NodeJS.ErrnoException) => {
      throw new CliError(`cannot read ${location}: ${error.code ?? error.message}`);
    });
  }
  stream.setEncoding('utf8');
  return stream;
}

/** An output being written: chunks in, then `finish()` to make it whole, or `abort()` to leave nothing. */
export interface Output {
  write(chunk: string): Promise<void> | undefined;
  finish(): Promise<void>;
  abort(): Promise<void>;
}

/** Writes with backpressure: a chunk the stream buffers past its mark waits for it to drain. */
function writer(stream: Writable): Output['write'] {
  return (chunk) => (stream.write(chunk) ? undefined : once(stream, 'drain').then(() => undefined));
}

async function end(stream: Writable): Promise<void> {
  stream.end();
  await once(stream, 'finish');
}

/**
 * Opens `location` for the output CSV. A file is written beside its final name and renamed when complete, and
 * an S3 object is a multipart upload completed at the end: a run that fails leaves no partial output. A device
 * or a pipe is written directly.
 */
export function openOutput(location: string, s3: () => S3Client): Output {
  const object = s3Location(location);
  if (object) {
    const body = new PassThrough({ highWaterMark: CHUNK_BYTES });
    const upload = new Upload({
      client: s3(),
      params: { Bucket: object.bucket, Key: object.key, Body: body, ContentType: 'text/csv; charset=utf-8' },
    });
    const done = upload.done();
    // An upload that fails stops taking chunks: the writes waiting on it must not hang.
    done.catch((error) => body.destroy(error));
    return {
      write: writer(body),
      async finish() {
        body.end();
        try {
          await done;
        } catch (error) {
          throw new CliError(
            `cannot write ${location}: ${(error as Error).name}: ${(error as Error).message}`,
          );
        }
      },
      async abort() {
        await upload.abort().catch(() => {});
        body.destroy();
      },
    };
  }
  if (location === '-') {
    return { write: writer(process.stdout), finish: async () => {}, abort: async () => {} };
  }
  // A device or a pipe (`/dev/null`, a FIFO) is written as it is: renaming a file over it would replace it.
  if (existsSync(location) && !statSync(location).isFile()) {
    const stream = createWriteStream(location, { flags: 'a' });
    return { write: writer(stream), finish: () => end(stream), abort: async () => void stream.destroy() };
  }
  const partial = `${location}.partial`;
  const file = createWriteStream(partial, { highWaterMark: CHUNK_BYTES });
  const failed = once(file, 'error').then(([error]: NodeJS.ErrnoException[]) => {
    throw new CliError(`cannot write ${location}: ${error!.code ?? error!.message}`);
  });
  failed.catch(() => {});
  return {
    write: (chunk) => Promise.race([writer(file)(chunk) ?? Promise.resolve(), failed]),
    async finish() {
      await Promise.race([end(file), failed]);
      await rename(partial, location);
    },
    async abort() {
      file.destroy();
      await rm(partial, { force: true });
    },
  };
}
