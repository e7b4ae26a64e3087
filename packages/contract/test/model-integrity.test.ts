import { describe, expect, it } from 'vitest';
import { modelMismatch, sha256Hex } from '../src/index.ts';
import { validManifest } from './fixture.ts';

// FIPS 180-2's test vector: sha256("abc").
const ABC_SHA256 = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const abc = new TextEncoder().encode('abc');

describe('the model integrity check', () => {
  it('hashes bytes to lowercase hex sha256', () => {
    expect(sha256Hex(abc)).toBe(ABC_SHA256);
  });

  it('accepts model bytes whose sha256 is the manifest onnx.sha256', () => {
    const manifest = validManifest();
    manifest.onnx.sha256 = ABC_SHA256;
    expect(modelMismatch(manifest, abc)).toBeUndefined();
  });

  it('says both hashes when one byte differs', () => {
    const manifest = validManifest();
    manifest.onnx.sha256 = ABC_SHA256;
    expect(modelMismatch(manifest, new TextEncoder().encode('abd'))).toBe(
      `sha256 ${sha256Hex(new TextEncoder().encode('abd'))} does not match the manifest's onnx.sha256 ${ABC_SHA256}; ` +
        'refusing a tampered or corrupt model',
    );
  });
});
