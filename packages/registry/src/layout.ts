import {
  ALIASES_DIR,
  checkAlias,
  checkName,
  checkVersion,
  MANIFEST_FILE,
  MANIFEST_SIGNATURE_FILE,
  MODEL_FILE,
} from '@glyco/contract';

/**
 * The registry layout (a contract), relative to the registry root (`s3://<bucket>/models` or a directory):
 *   <name>/<version>/{model.onnx, manifest.json, card.md, images}   immutable once manifest.json exists
 *   <name>/<version>/manifest.json.sig                               the manifest's signature, when signed
 *   <name>/aliases/<alias>.json                                      the alias record with its history
 * What a name, version and alias may be is @glyco/contract's (registry-names.ts), where model URIs are read.
 */
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

/** Written before the manifest, so that a signed version is never seen unsigned. */
export function signatureKey(name: string, version: string): string {
  return `${versionDir(name, version)}/${MANIFEST_SIGNATURE_FILE}`;
}

export function aliasKey(name: string, alias: string): string {
  return `${checkName(name)}/${ALIASES_DIR}/${checkAlias(alias)}.json`;
}
