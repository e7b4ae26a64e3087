import { ModelNameSchema, ModelVersionSchema } from './manifest.ts';

/** A failure the user can act on in a model registry (bad URI or name, missing version, refused promotion, tampered object): one line. */
export class RegistryError extends Error {
  override name = 'RegistryError';
}

/** The folder of a model's alias records in a registry (`<name>/aliases/<alias>.json`): never a version. */
export const ALIASES_DIR = 'aliases';
/** The folder of a model's training and retraining run records (`<name>/runs/<run-id>.json`). */
export const RUNS_DIR = 'runs';
/** The folder of a model's training data, by content hash (`<name>/datasets/<sha256>.csv`), shared by versions. */
export const DATASETS_DIR = 'datasets';
/** The folder of a model's locks (`<name>/locks/retrain.json`): who is retraining it, until when. */
export const LOCKS_DIR = 'locks';

/** Folders beside a model's versions that hold something else: none of them can be a version. */
export const RESERVED_FOLDERS: readonly string[] = [ALIASES_DIR, RUNS_DIR, DATASETS_DIR, LOCKS_DIR];

const ALIAS_PATTERN = /^[a-z][a-z0-9-]*$/;

export function isModelName(name: string): boolean {
  return ModelNameSchema.safeParse(name).success;
}

export function checkName(name: string): string {
  if (!isModelName(name)) {
    throw new RegistryError(`invalid model name "${name}": lowercase letters, digits and dashes`);
  }
  return name;
}

export function checkVersion(version: string): string {
  if (!ModelVersionSchema.safeParse(version).success) {
    throw new RegistryError(`invalid version "${version}": letters, digits, dots, dashes and underscores`);
  }
  if (RESERVED_FOLDERS.includes(version))
    throw new RegistryError(`"${version}" is reserved and cannot be a version`);
  return version;
}

export function checkAlias(alias: string): string {
  if (!ALIAS_PATTERN.test(alias)) {
    throw new RegistryError(
      `invalid alias "${alias}": a lowercase letter, then lowercase letters, digits, dashes`,
    );
  }
  return alias;
}
