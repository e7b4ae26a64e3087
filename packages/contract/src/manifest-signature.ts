import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { z } from 'zod';

/**
 * The signature of a version's `manifest.json`, beside it (additive to the model artifact: a model without one
 * still loads where no key is configured). It signs the manifest's exact bytes, which hold the model's sha256,
 * so whoever can write the registry but not sign cannot swap the model and its hash together.
 */
export const MANIFEST_SIGNATURE_FILE = 'manifest.json.sig';

/**
 * The algorithms a signature may use, named as AWS KMS names them (SigningAlgorithmSpec):
 * - `ED25519`: pure Ed25519 (RFC 8032) over the manifest's bytes; the local keys `glyco keys signing-key create`
 *   makes. (KMS's ECC_NIST_EDWARDS25519 keys sign with ED25519_SHA_512 only messages up to 4096 bytes, and a
 *   manifest is larger; its ED25519_PH_SHA_512 is Ed25519ph, another signature: neither is used here.)
 * - `ECDSA_SHA_256`: ECDSA on P-256 over the SHA-256 of the bytes, DER-encoded: a KMS ECC_NIST_P256 key signing
 *   the digest (https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html), or a local P-256 key.
 */
export const SIGNING_ALGORITHMS = ['ED25519', 'ECDSA_SHA_256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

const ManifestSignatureSchema = z.strictObject({
  algorithm: z.enum(SIGNING_ALGORITHMS),
  /** Which key signed: a KMS key's ARN, or a local key's fingerprint (`keyFingerprint`). For people and logs. */
  keyId: z.string().min(1).max(2048),
  /** Base64. */
  signature: z.base64().min(1).max(1024),
});
export type ManifestSignature = z.infer<typeof ManifestSignatureSchema>;

/** The public keys a model's manifest must be signed by (any one of them: two while a key is rotated). */
export type TrustedKeys = readonly KeyObject[];

/** The algorithm a key signs with; throws for a key of any other kind. */
export function signingAlgorithmOf(key: KeyObject): SigningAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'ED25519';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return 'ECDSA_SHA_256';
  }
  const kind =
    key.asymmetricKeyType === 'ec' ? `ec ${key.asymmetricKeyDetails?.namedCurve}` : key.asymmetricKeyType;
  throw new Error(`a ${kind} key cannot sign models: use an ed25519 key or a P-256 (ECC_NIST_P256) key`);
}

/** `sha256:<hex>` of the public key's SubjectPublicKeyInfo: names a key without showing it. */
export function keyFingerprint(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return `sha256:${createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')}`;
}

/**
 * The public keys in PEM text: one `PUBLIC KEY` block, or several (while a key is rotated). Throws an Error
 * saying what is wrong: no block, a block that is not a public key, a key that cannot sign models.
 */
export function parseTrustedKeys(pem: string): TrustedKeys {
  const blocks = pem.match(/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g) ?? [];
  if (blocks.length === 0) throw new Error('must hold a PEM public key (-----BEGIN PUBLIC KEY-----)');
  return blocks.map((block, index) => {
    if (!block.startsWith('-----BEGIN PUBLIC KEY-----')) {
      throw new Error(`block ${index + 1} is not a PUBLIC KEY: give the public key, never the private one`);
    }
    let key: KeyObject;
    try {
      key = createPublicKey(block);
    } catch (error) {
      throw new Error(`block ${index + 1} is not a valid public key (${(error as Error).message})`);
    }
    signingAlgorithmOf(key);
    return key;
  });
}

/** The signature file's JSON, checked; throws an Error saying what is wrong. */
export function parseManifestSignature(bytes: Uint8Array): ManifestSignature {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new Error('is not JSON');
  }
  const parsed = ManifestSignatureSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`is not a manifest signature: ${issue.path.join('.') || '(root)'} ${issue.message}`);
  }
  return parsed.data;
}

/** Whether `signature` (raw bytes) signs `message` with `key` under `algorithm`. */
export function signatureHolds(
  algorithm: SigningAlgorithm,
  message: Uint8Array,
  key: KeyObject,
  signature: Uint8Array,
): boolean {
  try {
    if (signingAlgorithmOf(key) !== algorithm) return false;
    return verify(algorithm === 'ED25519' ? null : 'sha256', message, key, signature);
  } catch {
    return false;
  }
}

/**
 * Why a manifest is not one the trusted keys signed, or undefined when one of them did: the signature file is
 * missing (`undefined`), unreadable, or verifies under none of the keys (another key signed it, or the manifest
 * changed since). Like `modelMismatch`, each caller throws its own error, the one a tampered model gets.
 */
export function manifestSignatureMismatch(
  manifest: Uint8Array,
  signatureFile: Uint8Array | undefined,
  trusted: TrustedKeys,
): string | undefined {
  if (signatureFile === undefined) {
    return `no ${MANIFEST_SIGNATURE_FILE} beside it, and model signatures are required; refusing an unsigned model`;
  }
  let signature: ManifestSignature;
  try {
    signature = parseManifestSignature(signatureFile);
  } catch (error) {
    return `${MANIFEST_SIGNATURE_FILE} ${(error as Error).message}; refusing the model`;
  }
  const bytes = Buffer.from(signature.signature, 'base64');
  if (trusted.some((key) => signatureHolds(signature.algorithm, manifest, key, bytes))) return undefined;
  return (
    `its ${signature.algorithm} signature by ${signature.keyId} does not verify under the configured ` +
    `MODEL_SIGNING_PUBLIC_KEY (${trusted.map(keyFingerprint).join(', ')}): signed by another key, or the ` +
    'manifest was changed after signing; refusing a tampered or wrongly signed model'
  );
}
