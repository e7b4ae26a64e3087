import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MANIFEST_FILE } from '@glyco/contract';
import { ModelLoadError } from './model-load-error.ts';

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
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri)?.[1];
  if (scheme) {
    throw new ModelLoadError(
      `MODEL_URI scheme "${scheme}://" is not supported; use a directory path or a file:// URL`,
    );
  }
  return resolve(uri);
}

/** Newest first: numeric-aware, so 1.10.0 sorts after 1.9.0 and dates sort by date. */
function newestVersion(versions: string[]): string | undefined {
  return versions.sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))[0];
}

/**
 * The local directory holding `manifest.json` and `model.onnx` for a model URI: a version directory, or a model
 * directory whose newest version is taken. `undefined` means the bundled default model. The one place where
 * model URIs are interpreted.
 */
export async function resolveModelDirectory(uri: string | undefined): Promise<string> {
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
