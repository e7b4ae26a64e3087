import { MANIFEST_FILE, MODEL_FILE, ModelNameSchema, ModelVersionSchema } from '@glyco/contract';
import { RegistryError } from './errors.ts';

/**
 * The registry layout (a contract), relative to the registry root (`s3://<bucket>/models` or a directory):
 *   <name>/<version>/{model.onnx, manifest.json, card.md, images}   immutable once manifest.json exists
 *   <name>/aliases/<alias>.json                                      the alias record with its history
 */
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

export function versionDir(name: string, version: string): string {
  return `${checkName(name)}/${checkVersion(version)}`;
}

/** A version exists once its manifest is written: publish writes it last. */
export function manifestKey(name: string, version: string): string {
  return `${versionDir(name, version)}/${MANIFEST_FILE}`;
}

export function modelKey(name: string, version: string): string {
  return `${versionDir(name, version)}/${MODEL_FILE}`;
}

export function aliasKey(name: string, alias: string): string {
  return `${checkName(name)}/${ALIASES_DIR}/${checkAlias(alias)}.json`;
}
