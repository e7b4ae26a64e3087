import { describe, expect, it } from 'vitest';
import { s3ClientConfig } from '../src/index.ts';

describe('s3ClientConfig', () => {
  it('uses path-style requests when an S3-compatible endpoint is configured, and not for AWS itself', () => {
    expect(s3ClientConfig({ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000' }).forcePathStyle).toBe(true);
    expect(s3ClientConfig({ AWS_ENDPOINT_URL: 'http://minio:9000' }).forcePathStyle).toBe(true);
    expect(s3ClientConfig({}).forcePathStyle).toBe(false);
    expect(
      s3ClientConfig({ AWS_ENDPOINT_URL_S3: 'http://x', GLYCO_S3_FORCE_PATH_STYLE: 'false' }).forcePathStyle,
    ).toBe(false);
  });

  it('computes checksums only when an operation requires them', () => {
    expect(s3ClientConfig({})).toMatchObject({
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  });

  it('refuses a path-style setting that is not a boolean', () => {
    expect(() => s3ClientConfig({ GLYCO_S3_FORCE_PATH_STYLE: 'yes' })).toThrow(
      /must be true or false, not "yes"/,
    );
  });
});
