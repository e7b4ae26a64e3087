import { ModelNameSchema, ModelVersionSchema } from './manifest.ts';

/** A failure the user can act on in a model registry (bad URI or name, missing version, refused promotion, tampered object): one line. */
export class RegistryError extends Error {
  override name = 'RegistryError';
}

/** The folder of a model's alias records in a registry (`<name>/aliases/<alias>.json`): never a version. */
export const ALIASES_DIR = 'aliases';

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
  if (version === ALIASES_DIR)
    throw new RegistryError(`"${ALIASES_DIR}" is reserved and cannot be a version`);
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
