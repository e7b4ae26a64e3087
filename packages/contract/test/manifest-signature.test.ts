import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  keyFingerprint,
  MANIFEST_SIGNATURE_FILE,
  manifestSignatureMismatch,
  parseTrustedKeys,
  readModelTrust,
  readSettings,
} from '../src/index.ts';

const manifest = new TextEncoder().encode('{"name":"pima-diabetes","onnx":{"sha256":"ab"}}');
const ed25519 = () => generateKeyPairSync('ed25519');
const p256 = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }) as string;

/** A signature file as a signer writes it, made here with node:crypto directly. */
function signatureFile(
  algorithm: string,
  privateKey: KeyObject,
  message = manifest,
  keyId = 'test-key',
): Uint8Array {
  const raw = sign(algorithm === 'ED25519' ? null : 'sha256', message, privateKey);
  const json = { algorithm, keyId, signature: raw.toString('base64') };
  return new TextEncoder().encode(JSON.stringify(json));
}

describe('a manifest signature', () => {
  it('verifies an Ed25519 and an ECDSA P-256 (KMS ECDSA_SHA_256, DER) signature of the exact bytes', () => {
    const local = ed25519();
    const kms = p256();
    const trusted = [local.publicKey, kms.publicKey];
    expect(
      manifestSignatureMismatch(manifest, signatureFile('ED25519', local.privateKey), trusted),
    ).toBeUndefined();
    expect(
      manifestSignatureMismatch(manifest, signatureFile('ECDSA_SHA_256', kms.privateKey), trusted),
    ).toBeUndefined();
  });

  it('refuses an unsigned manifest', () => {
    expect(manifestSignatureMismatch(manifest, undefined, [ed25519().publicKey])).toBe(
      `no ${MANIFEST_SIGNATURE_FILE} beside it, and model signatures are required; refusing an unsigned model`,
    );
  });

  it('refuses a manifest changed by one byte after signing (a new model sha256 written beside a new model)', () => {
    const { publicKey, privateKey } = ed25519();
    const changed = manifest.slice();
    changed[changed.length - 3] = 'c'.charCodeAt(0);
    const mismatch = manifestSignatureMismatch(changed, signatureFile('ED25519', privateKey), [publicKey]);
    expect(mismatch).toContain('does not verify under the configured MODEL_SIGNING_PUBLIC_KEY');
    expect(mismatch).toContain(keyFingerprint(publicKey));
  });

  it('refuses a signature by another key, naming the key that signed', () => {
    const trusted = ed25519().publicKey;
    const mismatch = manifestSignatureMismatch(
      manifest,
      signatureFile('ED25519', ed25519().privateKey, manifest, 'sha256:other'),
      [trusted],
    );
    expect(mismatch).toMatch(/^its ED25519 signature by sha256:other does not verify/);
  });

  it("refuses a signature whose algorithm is not the trusted key's, and a signature file that is not one", () => {
    const { publicKey, privateKey } = p256();
    const relabelled = JSON.parse(new TextDecoder().decode(signatureFile('ECDSA_SHA_256', privateKey)));
    relabelled.algorithm = 'ED25519';
    const bytes = new TextEncoder().encode(JSON.stringify(relabelled));
    expect(manifestSignatureMismatch(manifest, bytes, [publicKey])).toContain('does not verify');
    const garbage = new TextEncoder().encode(
      '{"algorithm":"RSASSA_PSS_SHA_256","keyId":"k","signature":"AA=="}',
    );
    expect(manifestSignatureMismatch(manifest, garbage, [publicKey])).toMatch(
      /^manifest\.json\.sig is not a manifest signature: algorithm/,
    );
    expect(manifestSignatureMismatch(manifest, new Uint8Array([1, 2]), [publicKey])).toBe(
      'manifest.json.sig is not JSON; refusing the model',
    );
  });
});

describe('the trusted keys', () => {
  it('reads every PUBLIC KEY block, so that two keys are trusted while one is rotated', () => {
    const [a, b] = [ed25519().publicKey, p256().publicKey];
    const keys = parseTrustedKeys(`${pem(a)}\n${pem(b)}`);
    expect(keys.map(keyFingerprint)).toEqual([keyFingerprint(a), keyFingerprint(b)]);
  });

  it('refuses a private key, an RSA key and text without a key', () => {
    const { privateKey } = ed25519();
    expect(() => parseTrustedKeys(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string)).toThrow(
      'block 1 is not a PUBLIC KEY: give the public key, never the private one',
    );
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    expect(() => parseTrustedKeys(pem(rsa))).toThrow('a rsa key cannot sign models');
    expect(() => parseTrustedKeys('ssh-ed25519 AAAA')).toThrow('must hold a PEM public key');
  });

  it('comes from MODEL_SIGNING_PUBLIC_KEY or its file; a bad one stops the start with the variable named', () => {
    const { publicKey } = ed25519();
    const dir = mkdtempSync(join(tmpdir(), 'glyco-trust-'));
    const file = join(dir, 'signing.pub');
    writeFileSync(file, pem(publicKey));
    const fromEnv = readSettings({ MODEL_SIGNING_PUBLIC_KEY: pem(publicKey) }, readModelTrust);
    const fromFile = readSettings({ MODEL_SIGNING_PUBLIC_KEY_FILE: file }, readModelTrust);
    expect(fromEnv?.map(keyFingerprint)).toEqual([keyFingerprint(publicKey)]);
    expect(fromFile?.map(keyFingerprint)).toEqual([keyFingerprint(publicKey)]);
    expect(readSettings({}, readModelTrust)).toBeUndefined();

    expect(() => readSettings({ MODEL_SIGNING_PUBLIC_KEY: 'nope' }, readModelTrust)).toThrow(
      new ConfigError(
        'invalid configuration: MODEL_SIGNING_PUBLIC_KEY must hold a PEM public key (-----BEGIN PUBLIC KEY-----)',
      ),
    );
    expect(() =>
      readSettings({ MODEL_SIGNING_PUBLIC_KEY_FILE: join(dir, 'missing.pub') }, readModelTrust),
    ).toThrow(`MODEL_SIGNING_PUBLIC_KEY_FILE ${join(dir, 'missing.pub')} cannot be read: ENOENT`);
    expect(() =>
      readSettings(
        { MODEL_SIGNING_PUBLIC_KEY: pem(publicKey), MODEL_SIGNING_PUBLIC_KEY_FILE: file },
        readModelTrust,
      ),
    ).toThrow('set only one of MODEL_SIGNING_PUBLIC_KEY and MODEL_SIGNING_PUBLIC_KEY_FILE');
  });
});
