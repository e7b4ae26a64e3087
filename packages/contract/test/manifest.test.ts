import { describe, expect, it } from 'vitest';
import { ManifestError, parseManifest, riskLevel } from '../src/index.ts';
import { validManifest } from './fixture.ts';

describe('parseManifest', () => {
  it('accepts a complete manifest', () => {
    expect(parseManifest(validManifest()).name).toBe('pima-diabetes');
  });

  it('names the offending path when a field is wrong', () => {
    const manifest = validManifest();
    manifest.onnx.sha256 = 'not-a-hash';
    expect(() => parseManifest(manifest)).toThrow(/onnx\.sha256/);
  });

  it('rejects duplicate feature names', () => {
    const manifest = validManifest();
    manifest.features.push({ ...manifest.features[0]! });
    expect(() => parseManifest(manifest)).toThrow(/duplicate feature "glucose"/);
  });

  it('rejects a feature whose valid range is empty', () => {
    const manifest = validManifest();
    manifest.features[0]!.min = 500;
    expect(() => parseManifest(manifest)).toThrow(ManifestError);
  });
});

describe('riskLevel', () => {
  const thresholds = { medium: 0.3, high: 0.6 };
  it.each([
    [0, 'low'],
    [0.2999, 'low'],
    [0.3, 'medium'],
    [0.5999, 'medium'],
    [0.6, 'high'],
    [1, 'high'],
  ] as const)('probability %d is %s', (probability, level) => {
    expect(riskLevel(probability, thresholds)).toBe(level);
  });
});
