import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';

function capture(level: Parameters<typeof createLogger>[0]['level']) {
  const chunks: string[] = [];
  const logger = createLogger({ level, write: (chunk) => chunks.push(chunk) });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  return { logger, chunks, lines };
}

describe('createLogger', () => {
  it('writes one JSON object per line with level, time and msg, and the fields', () => {
    const { logger, lines } = capture('info');
    logger.info('request', { request_id: 'abc', status: 200 });
    logger.flush();
    expect(lines()).toEqual([
      {
        level: 'info',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        msg: 'request',
        request_id: 'abc',
        status: 200,
      },
    ]);
  });

  it('drops lines below the level', () => {
    const { logger, lines } = capture('warn');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    logger.flush();
    expect(lines().map((line) => line.level)).toEqual(['warn', 'error']);
  });

  it('child loggers carry their bindings on every line', () => {
    const { logger, lines } = capture('debug');
    logger.child({ request_id: 'r1' }).debug('step', { n: 1 });
    logger.flush();
    expect(lines()[0]).toMatchObject({ msg: 'step', request_id: 'r1', n: 1 });
  });

  it('serializes errors with name, message and stack', () => {
    const { logger, lines } = capture('error');
    logger.error('failed', { error: new TypeError('boom') });
    logger.flush();
    expect(lines()[0].error).toMatchObject({
      name: 'TypeError',
      message: 'boom',
      stack: expect.stringContaining('boom'),
    });
  });

  it('buffers a burst of lines into one write on the next turn of the event loop', async () => {
    const { logger, chunks, lines } = capture('info');
    for (let i = 0; i < 3; i++) logger.info('line', { i });
    expect(chunks).toHaveLength(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(chunks).toHaveLength(1);
    expect(lines().map((line) => line.i)).toEqual([0, 1, 2]);
  });
});
