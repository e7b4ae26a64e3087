import type { Dirent } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import {
  DATASETS_DIR,
  MANIFEST_FILE,
  MANIFEST_SIGNATURE_FILE,
  MODEL_FILE,
  type ModelManifest,
  parseManifestSignature,
  sha256Hex,
} from '@glyco/contract';
import { type StoredDataset, storeDataset } from './datasets.ts';
import { RegistryError, WriteConflictError } from './errors.ts';
import { manifestKey, versionDir } from './layout.ts';
import { signManifest } from './signing/sign-manifest.ts';
import type { ManifestSigner } from './signing/signer.ts';
import type { ObjectStore } from './store.ts';
import { decodeManifest, verifyManifestSignature, verifyModel } from './versions.ts';

export type PublishedFile = { file: string; bytes: number; sha256: string };
export type Published = {
  name: string;
  version: string;
  uri: string;
  files: PublishedFile[];
  /** The training data, stored beside the version by its sha256; undefined when none was found or given. */
  dataset: StoredDataset | undefined;
  /** The key that signed the manifest (the signature file's keyId); undefined when the version is unsigned. */
  signedBy: string | undefined;
};

export type PublishOptions = {
  /**
   * The training data to store with the version; by default the local registry's copy beside the model
   * directory (`<registry>/<name>/datasets/<sha256>.csv`, which `glyco train` writes), when there is one.
   */
  data?: string | undefined;
  /**
   * Signs the manifest; its signature is uploaded as `manifest.json.sig` before the manifest, so a signed version
   * is never seen unsigned. Without one, a signature already in the directory (`glyco train --signing-key`) is
   * uploaded as it is, and otherwise the version is unsigned.
   */
  signer?: ManifestSigner | undefined;
};

const CONTENT_TYPES: Record<string, string> = {
  '.onnx': 'application/octet-stream',
  '.json': 'application/json',
  '.md': 'text/markdown; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * Uploads a trainer output directory (`model.onnx`, `manifest.json`, `card.md`, images) as an immutable version,
 * and its training data (checked against the manifest's sha256) under `<name>/datasets/`, so that the version can
 * be retrained. The manifest goes last, create-only: a version exists once its manifest does, so an interrupted
 * publish can simply be run again. Every file is read back and its sha256 compared with the local one.
 */
export async function publish(
  store: ObjectStore,
  modelDir: string,
  options: PublishOptions = {},
): Promise<Published> {
  const files = await readModelDir(modelDir);
  const manifest = decodeManifest(files.get(MANIFEST_FILE)!, join(modelDir, MANIFEST_FILE));
  verifyModel(manifest, files.get(MODEL_FILE)!, join(modelDir, MODEL_FILE));
  const { signer } = options;
  if (signer) files.set(MANIFEST_SIGNATURE_FILE, await signManifest(signer, files.get(MANIFEST_FILE)!));
  const { name, version } = manifest;
  const folder = versionDir(name, version);
  const refusal = `${name} ${version} is already in ${store.uri}: versions are immutable, publish a new version`;
  if (await store.exists(manifestKey(name, version))) throw new RegistryError(refusal);
  const data = await trainingData(manifest, modelDir, options.data);

  const dataset = data && (await storeDataset(store, name, data));
  const others = [...files.keys()].filter(
    (file) => file !== MANIFEST_FILE && file !== MANIFEST_SIGNATURE_FILE,
  );
  await Promise.all(others.map((file) => uploadOnce(store, `${folder}/${file}`, files.get(file)!)));
  const signature = files.get(MANIFEST_SIGNATURE_FILE);
  if (signature) {
    const key = `${folder}/${MANIFEST_SIGNATURE_FILE}`;
    files.set(
      MANIFEST_SIGNATURE_FILE,
      await uploadSignature(store, key, signature, files.get(MANIFEST_FILE)!, signer),
    );
  }
  try {
    await store.write(`${folder}/${MANIFEST_FILE}`, files.get(MANIFEST_FILE)!, {
      contentType: contentType(MANIFEST_FILE),
      condition: { ifNoneMatch: '*' },
    });
  } catch (error) {
    throw error instanceof WriteConflictError ? new RegistryError(refusal) : error;
  }

  const published = [...files].map(([file, body]) => ({
    file,
    bytes: body.byteLength,
    sha256: sha256Hex(body),
  }));
  await verifyUpload(store, folder, published);
  const signedBy = signature && parseManifestSignature(files.get(MANIFEST_SIGNATURE_FILE)!).keyId;
  return { name, version, uri: `${store.uri}/${folder}`, files: published, dataset, signedBy };
}

/**
 * Signs a trainer output directory's manifest into `manifest.json.sig` beside it (`glyco train --signing-key`);
 * without a signer, removes a signature left there by an earlier training of the same version, which would not
 * sign this manifest. Returns the signing key's id.
 */
export async function signModelDir(
  modelDir: string,
  signer: ManifestSigner | undefined,
): Promise<string | undefined> {
  const path = join(modelDir, MANIFEST_SIGNATURE_FILE);
  if (!signer) {
    await rm(path, { force: true });
    return undefined;
  }
  const signature = await signManifest(signer, await readFile(join(modelDir, MANIFEST_FILE)));
  await writeFile(path, signature);
  return parseManifestSignature(signature).keyId;
}

/**
 * Writes the signature of a version not yet published. ECDSA signatures differ from one signing to the next, so
 * one left by an interrupted publish is kept (and returned) when it verifies for this manifest under the
 * signer's key; any other content refuses the publish, as for the other files.
 */
async function uploadSignature(
  store: ObjectStore,
  key: string,
  signature: Uint8Array,
  manifest: Uint8Array,
  signer: ManifestSigner | undefined,
): Promise<Uint8Array> {
  const stored = await store.read(key);
  if (stored && signer) {
    const left = stored.body;
    try {
      verifyManifestSignature(manifest, left, [await signer.publicKey()], key);
      return left;
    } catch {
      // not this manifest's signature by this key: refused below
    }
  }
  await uploadOnce(store, key, signature);
  return signature;
}

/**
 * The data the model was trained on: the file given, which must be it (by sha256), else the copy `glyco train`
 * keeps in the local registry the model directory is in; undefined when there is none.
 */
async function trainingData(
  manifest: ModelManifest,
  modelDir: string,
  given: string | undefined,
): Promise<Uint8Array | undefined> {
  const expected = manifest.trainingData.sha256;
  const path = given ?? join(dirname(modelDir), DATASETS_DIR, `${expected}.csv`);
  let data: Uint8Array;
  try {
    data = await readFile(path);
  } catch (error) {
    if (given === undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RegistryError(`cannot read the training data ${path}: ${(error as Error).message}`);
  }
  const actual = sha256Hex(data);
  if (actual !== expected) {
    throw new RegistryError(
      `${path} is not the data ${manifest.name} ${manifest.version} was trained on: its sha256 is ${actual}, ` +
        `the manifest's trainingData.sha256 is ${expected}`,
    );
  }
  return data;
}

/**
 * Writes a file of a version not yet published, never over different content: the same bytes left by an
 * interrupted publish are kept; other bytes (a concurrent publish of the same version) refuse the publish.
 */
async function uploadOnce(store: ObjectStore, key: string, body: Uint8Array): Promise<void> {
  let stored = await store.read(key);
  if (!stored) {
    try {
      return await store.write(key, body, { contentType: contentType(key), condition: { ifNoneMatch: '*' } });
    } catch (error) {
      if (!(error instanceof WriteConflictError)) throw error;
      stored = await store.read(key);
    }
  }
  if (stored && sha256Hex(stored.body) === sha256Hex(body)) return;
  throw new RegistryError(
    `${store.uri}/${key} already holds other content from an interrupted or concurrent publish of this version; ` +
      'remove that folder and publish again',
  );
}

async function readModelDir(modelDir: string): Promise<Map<string, Uint8Array>> {
  let entries: Dirent[];
  try {
    entries = await readdir(modelDir, { withFileTypes: true });
  } catch (error) {
    throw new RegistryError(`cannot read the model directory ${modelDir}: ${(error as Error).message}`);
  }
  const visible = entries.filter((entry) => !entry.name.startsWith('.'));
  const folder = visible.find((entry) => !entry.isFile());
  if (folder) throw new RegistryError(`${join(modelDir, folder.name)}: a model directory holds files only`);
  const files = new Map<string, Uint8Array>();
  for (const entry of visible) files.set(entry.name, await readFile(join(modelDir, entry.name)));
  for (const required of [MANIFEST_FILE, MODEL_FILE]) {
    if (!files.has(required))
      throw new RegistryError(`${modelDir} has no ${required}: is it a trainer output directory?`);
  }
  return files;
}

/** Also catches a concurrent publisher of the same version on a server that ignores conditional writes. */
async function verifyUpload(store: ObjectStore, folder: string, files: PublishedFile[]): Promise<void> {
  for (const { file, sha256 } of files) {
    const stored = await store.read(`${folder}/${file}`);
    const actual = stored && sha256Hex(stored.body);
    if (actual !== sha256) {
      throw new RegistryError(
        `${store.uri}/${folder}/${file}: sha256 after upload is ${actual ?? '(missing)'}, expected ${sha256}`,
      );
    }
  }
}

function contentType(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}
