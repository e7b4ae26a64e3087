import type { Context } from 'hono';
import { Problem } from './problem.ts';

const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;

function tooLarge(maxBytes: number): Problem {
  return new Problem('content-too-large', `the request body exceeds the limit of ${maxBytes} bytes`);
}

/** Reads a body sent without Content-Length (chunked) and stops as soon as it passes the limit. */
async function readStreamWithLimit(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<string> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/**
 * The request body as parsed JSON, or a Problem: 415 unless it is declared `application/json`, 413 past
 * `maxBytes` (checked against Content-Length before anything is read), 400 when empty or not JSON.
 */
export async function readJsonBody(c: Context, maxBytes: number): Promise<unknown> {
  const contentType = c.req.header('content-type');
  if (!contentType || !JSON_MEDIA_TYPE.test(contentType)) {
    throw new Problem(
      'unsupported-media-type',
      `the body must be sent as Content-Type: application/json (got ${contentType ? `"${contentType}"` : 'none'})`,
    );
  }
  const declaredLength = c.req.header('content-length');
  let text: string;
  if (declaredLength !== undefined) {
    if (Number(declaredLength) > maxBytes) throw tooLarge(maxBytes);
    text = await c.req.text();
    // Node's HTTP parser holds the body to its declared length; a Lambda event's header is not checked by anyone.
    if (text.length > maxBytes) throw tooLarge(maxBytes);
  } else {
    const body = c.req.raw.body;
    text = body ? await readStreamWithLimit(body, maxBytes) : '';
  }
  if (text.trim() === '')
    throw new Problem('malformed-request', 'the request body is empty: send a JSON object');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Problem('malformed-request', `the request body is not valid JSON: ${(error as Error).message}`);
  }
}
