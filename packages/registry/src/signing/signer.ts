import type { KeyObject } from 'node:crypto';
import type { ManifestSignature } from '@glyco/contract';

/** Signs manifests at publish: a local private key, or an AWS KMS key that never leaves KMS. */
export interface ManifestSigner {
  /** What signs, for messages: a key file, or the KMS key as given. */
  readonly description: string;
  /** The signature file's content for these exact manifest bytes. */
  sign(manifest: Uint8Array): Promise<ManifestSignature>;
  /** The public key that verifies the signatures (publish checks its own before it uploads them). */
  publicKey(): Promise<KeyObject>;
}
