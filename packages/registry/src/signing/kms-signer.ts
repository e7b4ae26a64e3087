import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { RegistryError } from '../errors.ts';
import type { ManifestSigner } from './signer.ts';

/** The KMS key spec and algorithm models are signed with (see SIGNING_ALGORITHMS in @glyco/contract for why). */
export const KMS_SIGNING_KEY_SPEC = 'ECC_NIST_P256';
const ALGORITHM = 'ECDSA_SHA_256';

/**
 * Signs with an AWS KMS asymmetric key (key usage SIGN_VERIFY, spec ECC_NIST_P256): the private key never leaves
 * KMS, and only principals the key policy lets call kms:Sign can sign. A manifest is larger than the 4096 bytes
 * KMS signs whole, so its SHA-256 is sent with MessageType DIGEST
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html): the signature is plain ECDSA-SHA256 over
 * the manifest's bytes, DER-encoded, which anyone holding the public key verifies without calling KMS.
 * `keyId` is a key id, ARN, alias name or alias ARN; the signature file names the key ARN KMS answers with.
 * The default client takes region, credentials and endpoint (`AWS_ENDPOINT_URL_KMS`) from the SDK's chain.
 */
export function kmsSigner(keyId: string, client: KMSClient = new KMSClient({})): ManifestSigner {
  let publicKey: Promise<KeyObject> | undefined;
  return {
    description: `the KMS key ${keyId}`,
    async sign(manifest) {
      const digest = createHash('sha256').update(manifest).digest();
      const answer = await call(keyId, 'Sign', () =>
        client.send(
          new SignCommand({
            KeyId: keyId,
            Message: digest,
            MessageType: 'DIGEST',
            SigningAlgorithm: ALGORITHM,
          }),
        ),
      );
      if (!answer.Signature || !answer.KeyId)
        throw new RegistryError(`KMS Sign with ${keyId} returned no signature`);
      return {
        algorithm: ALGORITHM,
        keyId: answer.KeyId,
        signature: Buffer.from(answer.Signature).toString('base64'),
      };
    },
    publicKey() {
      publicKey ??= call(keyId, 'GetPublicKey', () =>
        client.send(new GetPublicKeyCommand({ KeyId: keyId })),
      ).then((answer) => {
        if (
          answer.KeyUsage !== 'SIGN_VERIFY' ||
          answer.KeySpec !== KMS_SIGNING_KEY_SPEC ||
          !answer.PublicKey ||
          !answer.SigningAlgorithms?.includes(ALGORITHM)
        ) {
          throw new RegistryError(
            `the KMS key ${keyId} is a ${answer.KeySpec} ${answer.KeyUsage} key; models are signed with a ` +
              `${KMS_SIGNING_KEY_SPEC} SIGN_VERIFY key (${ALGORITHM})`,
          );
        }
        return createPublicKey({ key: Buffer.from(answer.PublicKey), format: 'der', type: 'spki' });
      });
      return publicKey;
    },
  };
}

/** A KMS call whose failure (denied, no such key, unreachable) becomes one RegistryError naming the key. */
async function call<T>(keyId: string, operation: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (error instanceof RegistryError) throw error;
    throw new RegistryError(`KMS ${operation} with ${keyId} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
