import {
  type ModelManifest,
  manifestSignatureMismatch,
  modelMismatch,
  parseManifest,
  type TrustedKeys,
} from '@glyco/contract';
import { RegistryError } from './errors.ts';
import { manifestKey, modelKey, signatureKey } from './layout.ts';
import type { ObjectStore } from './store.ts';

/** Parses manifest bytes; `where` names the file in the error. */
export function decodeManifest(bytes: Uint8Array, where: string): ModelManifest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new RegistryError(`${where}: not valid JSON (${(error as Error).message})`);
  }
  try {
    return parseManifest(json);
  } catch (error) {
    throw new RegistryError(`${where}: ${(error as Error).message}`);
  }
}

/** Refuses model bytes whose sha256 differs from the manifest's: a tampered or truncated model never loads. */
export function verifyModel(manifest: ModelManifest, model: Uint8Array, where: string): void {
  const mismatch = modelMismatch(manifest, model);
  if (mismatch) throw new RegistryError(`${where}: ${mismatch}`);
}

/** The manifest of a published version, checked to be the version it is filed under. */
export async function readManifest(
  store: ObjectStore,
  name: string,
  version: string,
): Promise<ModelManifest> {
  return (await readManifestObject(store, name, version)).manifest;
}

async function readManifestObject(
  store: ObjectStore,
  name: string,
  version: string,
): Promise<{ manifest: ModelManifest; bytes: Uint8Array }> {
  const key = manifestKey(name, version);
  const object = await store.read(key);
  if (!object) throw new RegistryError(`${name} ${version} is not in the registry ${store.uri}`);
  const manifest = decodeManifest(object.body, `${store.uri}/${key}`);
  if (manifest.name !== name || manifest.version !== version) {
    throw new RegistryError(
      `${store.uri}/${key} describes ${manifest.name} ${manifest.version}, not ${name} ${version}; refusing it`,
    );
  }
  return { manifest, bytes: object.body };
}

/**
 * Refuses a manifest that none of `trusted` signed (unsigned, wrongly signed, changed since), as a tampered
 * model is refused; with no trusted keys, every manifest passes, as before signing existed.
 */
export function verifyManifestSignature(
  manifest: Uint8Array,
  signature: Uint8Array | undefined,
  trusted: TrustedKeys | undefined,
  where: string,
): void {
  const mismatch = trusted && manifestSignatureMismatch(manifest, signature, trusted);
  if (mismatch) throw new RegistryError(`${where}: ${mismatch}`);
}

export type VerifiedVersion = {
  manifest: ModelManifest;
  manifestBytes: Uint8Array;
  /** The manifest's signature file, when the version has one. */
  signature: Uint8Array | undefined;
  model: Uint8Array;
};

/**
 * A version's manifest, its signature and its model, after checking the signature against the trusted keys
 * (when given) and the model against the manifest's sha256.
 */
export async function readVerifiedVersion(
  store: ObjectStore,
  name: string,
  version: string,
  trusted?: TrustedKeys,
): Promise<VerifiedVersion> {
  const { manifest, bytes } = await readManifestObject(store, name, version);
  const signature = (await store.read(signatureKey(name, version)))?.body;
  verifyManifestSignature(bytes, signature, trusted, `${store.uri}/${manifestKey(name, version)}`);
  const key = modelKey(name, version);
  const object = await store.read(key);
  if (!object) throw new RegistryError(`${store.uri}/${key} is missing`);
  verifyModel(manifest, object.body, `${store.uri}/${key}`);
  return { manifest, manifestBytes: bytes, signature, model: object.body };
}
