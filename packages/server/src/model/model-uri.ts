import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkModelUri, isRegistryModelUri, MANIFEST_FILE, type TrustedKeys } from '@glyco/contract';
import { ModelLoadError } from './model-load-error.ts';
import { openRegistryModel, type RegistryModel } from './model-registry.ts';

/** The model served when `MODEL_URI` is not set. */
export const DEFAULT_MODEL_NAME = 'pima-diabetes';
const REGISTRY_DIR = 'models';

/**
 * The bundled registry: the nearest `models/` holding the default model, looking up from this code's own
 * directory, not the cwd, so it is found from the source tree, from `dist/`, and from a packaged app directory.
 */
export function bundledModelDirectory(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, REGISTRY_DIR, DEFAULT_MODEL_NAME);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) {
      throw new ModelLoadError(
        `no bundled model: no ${REGISTRY_DIR}/${DEFAULT_MODEL_NAME} above ${from}; set MODEL_URI to a model directory`,
      );
    }
  }
}

function localPath(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch (error) {
      throw new ModelLoadError(`MODEL_URI ${uri} is not a valid file URL: ${(error as Error).message}`);
    }
  }
  return resolve(uri);
}

/**
 * Refuses what no resolver here can load (another scheme, a registry URI that does not parse), before anything
 * is imported for it.
 */
function checkUri(uri: string): void {
  try {
    checkModelUri(uri);
  } catch (error) {
    throw new ModelLoadError(`MODEL_URI ${(error as Error).message}`);
  }
}

/** Newest first: numeric-aware, so 1.10.0 sorts after 1.9.0 and dates sort by date. */
function newestVersion(versions: string[]): string | undefined {
  return versions.sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))[0];
}

/**
 * The local directory holding `manifest.json` and `model.onnx` for a local model URI: a version directory, or a
 * model directory whose newest version is taken. `undefined` means the bundled default model.
 */
export async function resolveModelDirectory(uri: string | undefined): Promise<string> {
  if (uri !== undefined) {
    checkUri(uri);
    if (isRegistryModelUri(uri))
      throw new ModelLoadError(`${uri} names a model in a registry, not a directory`);
  }
  const dir = uri === undefined ? bundledModelDirectory() : localPath(uri);
  if (existsSync(join(dir, MANIFEST_FILE))) return dir;
  let entries: string[];
  try {
    entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    throw new ModelLoadError(`no model at ${dir}: the directory does not exist or cannot be read`);
  }
  const version = newestVersion(entries.filter((name) => existsSync(join(dir, name, MANIFEST_FILE))));
  if (!version) {
    throw new ModelLoadError(
      `no model at ${dir}: expected ${MANIFEST_FILE} in it, or version directories holding one`,
    );
  }
  return join(dir, version);
}

/** The model to serve, on local disk; and the registry model to follow when `MODEL_URI` names an alias. */
export interface ResolvedModel {
  directory: string;
  /** Open (its S3 client included) until the caller closes it. */
  followed?: RegistryModel & { alias: string };
}

/**
 * The one place where `MODEL_URI` is interpreted: the bundled default (`undefined`), a local version or model
 * directory (path or `file://`), or a model in a registry, downloaded to `cacheDir` (S3) and verified (its
 * signature too when keys are `trusted`; loading the directory checks it again, as it does for a local one).
 */
export async function resolveModel(
  uri: string | undefined,
  cacheDir: string,
  trusted?: TrustedKeys,
): Promise<ResolvedModel> {
  if (uri === undefined || !isRegistryModelUri(uri)) return { directory: await resolveModelDirectory(uri) };
  checkUri(uri);
  let model: RegistryModel | undefined;
  try {
    model = await openRegistryModel(uri, cacheDir, trusted);
    const { dir } = await model.fetch();
    const { alias } = model;
    if (alias !== undefined) return { directory: dir, followed: { ...model, alias } };
    model.close();
    return { directory: dir };
  } catch (error) {
    model?.close();
    throw new ModelLoadError(`cannot load MODEL_URI ${uri}: ${(error as Error).message}`);
  }
}
