import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { keyFingerprint, signingAlgorithmOf } from '@glyco/contract';
import { RegistryError } from '../errors.ts';
import type { ManifestSigner } from './signer.ts';

/**
 * A signer holding its private key: PEM (PKCS#8) of an ed25519 key, or of a P-256 key. `description` names where
 * the key came from (a file, a variable), never the key.
 */
export function localSigner(privateKeyPem: string, description: string): ManifestSigner {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(privateKeyPem);
  } catch (error) {
    throw new RegistryError(`${description} is not a PEM private key (${(error as Error).message})`);
  }
  let algorithm: ReturnType<typeof signingAlgorithmOf>;
  try {
    algorithm = signingAlgorithmOf(privateKey);
  } catch (error) {
    throw new RegistryError(`${description}: ${(error as Error).message}`);
  }
  const publicKey = createPublicKey(privateKey);
  const keyId = keyFingerprint(publicKey);
  return {
    description,
    async sign(manifest) {
      const signature = sign(algorithm === 'ED25519' ? null : 'sha256', manifest, privateKey);
      return { algorithm, keyId, signature: signature.toString('base64') };
    },
    publicKey: async () => publicKey,
  };
}

/** A new ed25519 key pair, as PEM: the private key (PKCS#8) for the signer, the public key for verification. */
export function createSigningKeyPair(): { privateKeyPem: string; publicKeyPem: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    keyId: keyFingerprint(publicKey),
  };
}
