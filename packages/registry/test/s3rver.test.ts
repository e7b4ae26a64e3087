import { randomBytes } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET, startS3 } from './support.ts';

/**
 * The S3 tests lean on the stand-in server keeping S3's promise: a PUT is atomic, so once it is answered a
 * GET reads the whole object, and a GET during an overwrite reads the old object or the new one, never part of
 * either. s3rver 3.7.1 broke it (answered before its file was written, and wrote in place), which made the
 * registry's tests fail now and then on a loaded machine; `patches/s3rver@3.7.1.patch` mends it.
 */
describe('the S3 server the tests run against', () => {
  let s3: Awaited<ReturnType<typeof startS3>>;
  beforeAll(async () => {
    s3 = await startS3();
  });
  afterAll(() => s3.stop());

  const put = (key: string, body: Uint8Array) =>
    s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  const get = async (key: string) => {
    // A body shorter than its Content-Length would leave the read waiting: bound it, so the test says so.
    const response = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }), {
      abortSignal: AbortSignal.timeout(10_000),
    });
    return Buffer.from(await response.Body!.transformToByteArray());
  };

  it('reads an object whole right after its PUT is answered', async () => {
    const objects = Array.from({ length: 8 }, (_, i) => ({ key: `whole/${i}`, body: randomBytes(4 << 20) }));
    const read = await Promise.all(
      objects.map(async ({ key, body }) => {
        await put(key, body);
        return get(key);
      }),
    );
    read.forEach((bytes, i) => {
      expect(bytes.length).toBe(objects[i]!.body.length);
      expect(bytes.equals(objects[i]!.body)).toBe(true);
    });
  }, 60_000);

  it('reads the old object or the new one while it is overwritten, never a part of either', async () => {
    const versions = [randomBytes(2 << 20), randomBytes(3 << 20)];
    await put('overwritten', versions[0]!);
    const reads: Buffer[] = [];
    let writing = true;
    const reader = (async () => {
      while (writing) reads.push(await get('overwritten'));
    })();
    for (let i = 1; i <= 6; i++) await put('overwritten', versions[i % 2]!);
    writing = false;
    await reader;
    expect(reads.length).toBeGreaterThan(0);
    for (const bytes of reads) expect(versions.some((version) => version.equals(bytes))).toBe(true);
  }, 60_000);
});
