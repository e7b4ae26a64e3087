import type { Context } from 'hono';
import { Problem } from './problem.ts';

const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;

function tooLarge(maxBytes: number): Problem {
  return new Problem('content-too-large', `the request body exceeds the limit of ${maxBytes} bytes`);
}

/** Reads a body sent without Content-Length (chunked) and stops as soon as it passes the limit. */
async function readStreamWithLimit(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<string> {
  if (!body) return '';
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
 * The body as text, within `maxBytes`. Reading fails only when the connection does (a Lambda event holds its
 * body whole): the client went away mid-body, which is no fault of the server (499, not a 500 with a stack).
 */
export async function readBodyText(c: Context, maxBytes: number): Promise<string> {
  const declaredLength = c.req.header('content-length');
  if (declaredLength !== undefined && Number(declaredLength) > maxBytes) throw tooLarge(maxBytes);
  let text: string;
  try {
    text =
      declaredLength !== undefined ? await c.req.text() : await readStreamWithLimit(c.req.raw.body, maxBytes);
  } catch (error) {
    if (error instanceof Problem) throw error;
    throw new Problem('client-closed-request', 'the client closed the connection before its body was read');
  }
  // Node's HTTP parser holds the body to its declared length; a Lambda event's header is not checked by anyone.
  if (text.length > maxBytes) throw tooLarge(maxBytes);
  return text;
}

/** A body's text parsed as JSON, or a 400 saying why it is not. */
export function parseJsonText(text: string): unknown {
  if (text.trim() === '')
    throw new Problem('malformed-request', 'the request body is empty: send a JSON object');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Problem('malformed-request', `the request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** 415 for a body declared as something other than JSON. */
export function unsupportedMediaType(contentType: string, accepted: string): Problem {
  return new Problem(
    'unsupported-media-type',
    `the body must be sent as Content-Type: ${accepted} (got "${contentType}")`,
  );
}

/**
 * The request body as parsed JSON, or a Problem: 415 when it is declared as something other than
 * `application/json`, 413 past `maxBytes` (checked against Content-Length before anything is read), 400 when
 * empty or not JSON. A body sent without Content-Type is read as JSON: API Gateway test consoles, `aws lambda
 * invoke` wrappers and many scripts send none, and JSON is the only thing these routes take.
 */
export async function readJsonBody(c: Context, maxBytes: number): Promise<unknown> {
  const contentType = c.req.header('content-type');
  if (contentType && !JSON_MEDIA_TYPE.test(contentType)) {
    throw unsupportedMediaType(contentType, 'application/json');
  }
  return parseJsonText(await readBodyText(c, maxBytes));
}
