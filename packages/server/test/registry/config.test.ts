import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';

describe('the model registry settings', () => {
  it('poll a followed alias every 30 s and cache S3 downloads under the temp dir by default', () => {
    expect(loadConfig({}).modelRegistry).toEqual({
      cacheDir: expect.stringMatching(/glyco-models$/),
      pollIntervalMs: 30_000,
    });
  });

  it('take a poll interval in seconds, fractions too, and a cache directory resolved from the working dir', () => {
    const config = loadConfig({ MODEL_POLL_INTERVAL_SECONDS: '0.25', MODEL_CACHE_DIR: 'cache/models' });
    expect(config.modelRegistry).toEqual({
      cacheDir: join(process.cwd(), 'cache/models'),
      pollIntervalMs: 250,
    });
    expect(loadConfig({ MODEL_POLL_INTERVAL_SECONDS: '3600' }).modelRegistry.pollIntervalMs).toBe(3_600_000);
  });

  it.each(['0', '0.05', '3601', '-1', '1e3', '30s', ' '])('refuse the poll interval "%s" by name', (raw) => {
    expect(() => loadConfig({ MODEL_POLL_INTERVAL_SECONDS: raw })).toThrow(
      'invalid configuration: MODEL_POLL_INTERVAL_SECONDS must be a number of seconds from 0.1 to 3600',
    );
  });

  it('refuse a blank cache directory', () => {
    expect(() => loadConfig({ MODEL_CACHE_DIR: '  ' })).toThrow(
      'invalid configuration: MODEL_CACHE_DIR must not be empty',
    );
  });
});
