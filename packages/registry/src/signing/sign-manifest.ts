import { parseManifestSignature } from '@glyco/contract';
import { RegistryError } from '../errors.ts';
import { manifestKey, signatureKey } from '../layout.ts';
import type { ObjectStore } from '../store.ts';
import { readVerifiedVersion, verifyManifestSignature } from '../versions.ts';
import type { ManifestSigner } from './signer.ts';

/** The signature file for the manifest, checked against the signer's public key before anything is uploaded. */
export async function signManifest(signer: ManifestSigner, manifest: Uint8Array): Promise<Uint8Array> {
  const signature = new TextEncoder().encode(`${JSON.stringify(await signer.sign(manifest), null, 2)}\n`);
  verifyManifestSignature(
    manifest,
    signature,
    [await signer.publicKey()],
    `the signature by ${signer.description}`,
  );
  return signature;
}

/**
 * Signs a version already in the registry, in place: one published unsigned (before signing was on), or signed
 * with a key being retired (rotation). Its model is verified against its manifest first; the new signature,
 * checked against the signer's key, replaces any earlier one. Sign only a version you trust: the signature says
 * that whoever holds the key vouches for these bytes. Returns the signing key's id.
 */
export async function signVersion(
  store: ObjectStore,
  name: string,
  version: string,
  signer: ManifestSigner,
): Promise<string> {
  const { manifestBytes } = await readVerifiedVersion(store, name, version);
  const signature = await signManifest(signer, manifestBytes);
  await store.write(signatureKey(name, version), signature, { contentType: 'application/json' });
  const stored = await store.read(manifestKey(name, version));
  if (!stored || Buffer.compare(Buffer.from(stored.body), Buffer.from(manifestBytes)) !== 0) {
    throw new RegistryError(
      `${store.uri}/${manifestKey(name, version)} changed while it was signed; sign it again`,
    );
  }
  return parseManifestSignature(signature).keyId;
}
