import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  MANIFEST_FILE,
  MANIFEST_SIGNATURE_FILE,
  MODEL_FILE,
  type ModelManifest,
  type ModelRef,
  parseModelUri,
  type TrustedKeys,
} from '@glyco/contract';
import { requireAlias } from './alias.ts';
import { RegistryError } from './errors.ts';
import { LocalStore } from './local-store.ts';
import { openStore, type StoreOptions } from './open-store.ts';
import type { ObjectStore } from './store.ts';
import { readVerifiedVersion, type VerifiedVersion } from './versions.ts';

export type FetchedModel = { dir: string; name: string; version: string; manifest: ModelManifest };

export type FetchOptions = StoreOptions & {
  /** The keys the manifest must be signed by; unset: signatures are not checked (the sha256 always is). */
  trusted?: TrustedKeys | undefined;
};

/**
 * Resolves a model URI (an alias or a version) and returns a local directory holding the version's
 * `model.onnx`, `manifest.json` and its signature (when signed), the model verified against the manifest's sha256
 * and the manifest against the trusted keys. A local registry is used in place; an S3 one is downloaded to
 * `<cacheDir>/<name>/<version>/` (reused while it verifies; versions are immutable). Needs only s3:GetObject.
 */
export async function fetchModel(
  uri: string,
  cacheDir: string,
  options: FetchOptions = {},
): Promise<FetchedModel> {
  const ref = parseModelUri(uri);
  const store = openStore(ref.registry, options);
  const version = await resolveVersion(store, ref);
  const { name } = ref;
  if (ref.registry.kind === 'file') {
    const { manifest } = await readVerifiedVersion(store, name, version, options.trusted);
    return { dir: join(ref.registry.dir, name, version), name, version, manifest };
  }
  const cache = new LocalStore(resolve(cacheDir));
  const dir = join(cache.uri, name, version);
  const cached = await readVerifiedVersion(cache, name, version, options.trusted).catch(() => undefined);
  if (cached) return { dir, name, version, manifest: cached.manifest };

  const verified = await readVerifiedVersion(store, name, version, options.trusted);
  await install(dir, join(cache.uri, name, `.${version}.${randomUUID()}`), verified);
  return { dir, name, version, manifest: verified.manifest };
}

async function resolveVersion(store: ObjectStore, ref: ModelRef): Promise<string> {
  return ref.kind === 'version'
    ? ref.version
    : (await requireAlias(store, ref.name, ref.alias)).record.version;
}

/** Writes the files beside the cache entry, then renames the folder into place: no reader sees half a model. */
async function install(dir: string, temporary: string, files: VerifiedVersion): Promise<void> {
  try {
    await mkdir(temporary, { recursive: true });
    await writeFile(join(temporary, MODEL_FILE), files.model);
    await writeFile(join(temporary, MANIFEST_FILE), files.manifestBytes);
    if (files.signature) await writeFile(join(temporary, MANIFEST_SIGNATURE_FILE), files.signature);
    await rm(dir, { recursive: true, force: true }); // a cache entry that failed verification
    await rename(temporary, dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Another fetch of the same version installed it first: theirs is as good as ours.
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') {
      throw new RegistryError(`cannot write the model cache ${dir}: ${(error as Error).message}`);
    }
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}
