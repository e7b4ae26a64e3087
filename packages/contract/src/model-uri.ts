import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkAlias, checkName, checkVersion, RegistryError } from './registry-names.ts';

/** Where a registry lives: a key prefix in a bucket, or a local directory (absolute). */
export type RegistryLocation = { kind: 's3'; bucket: string; prefix: string } | { kind: 'file'; dir: string };

/** A model, named either by an immutable version (`<name>/<version>`) or by an alias that moves (`<name>@<alias>`). */
export type ModelSelector = { name: string } & (
  | { kind: 'version'; version: string }
  | { kind: 'alias'; alias: string }
);

/** One model in a registry. */
export type ModelRef = { registry: RegistryLocation } & ModelSelector;

const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * `s3://<bucket>/<prefix>` (the prefix is required: the layout puts models under `s3://<bucket>/models`),
 * `file://<absolute path>`, or a plain path (relative to the working directory).
 */
export function parseRegistryUri(uri: string): RegistryLocation {
  if (uri.trim() === '') throw new RegistryError('empty registry URI');
  if (uri.startsWith('s3:')) return parseS3(uri);
  if (uri.startsWith('file:')) return { kind: 'file', dir: resolve(fileUriToPath(uri)) };
  if (SCHEME.test(uri)) {
    throw new RegistryError(
      `unsupported registry URI "${uri}": use s3://<bucket>/<prefix>, file://<dir> or a path`,
    );
  }
  return { kind: 'file', dir: resolve(uri) };
}

function parseS3(uri: string): RegistryLocation {
  const match = /^s3:\/\/([^/]+)\/(.*?)\/*$/.exec(uri);
  const bucket = match?.[1] ?? '';
  const prefix = match?.[2] ?? '';
  if (!BUCKET_PATTERN.test(bucket) || prefix === '' || prefix.split('/').some((part) => part === '')) {
    throw new RegistryError(
      `invalid S3 registry URI "${uri}": expected s3://<bucket>/<prefix>, e.g. s3://my-bucket/models`,
    );
  }
  return { kind: 's3', bucket, prefix };
}

function fileUriToPath(uri: string): string {
  try {
    return fileURLToPath(uri);
  } catch (error) {
    throw new RegistryError(`invalid file URI "${uri}": ${(error as Error).message}`);
  }
}

/**
 * `<registry>/<name>@<alias>` or `<registry>/<name>/<version>`, where `<registry>` is any registry URI
 * (`s3://bucket/models/pima-diabetes@production`, `file:///srv/models/pima-diabetes/1.0.0`,
 * `models/pima-diabetes@staging`). A bare `<name>@<alias>` names a registry in the working directory.
 */
export function parseModelUri(uri: string): ModelRef {
  const trimmed = uri.replace(/\/+$/, '');
  const [rest, last] = splitLast(trimmed);
  if (last.includes('@')) return { registry: parseRegistryPart(uri, rest), ...parseModelSelector(last) };
  const [registryPart, name] = splitLast(rest);
  if (name === '') {
    throw new RegistryError(
      `invalid model URI "${uri}": expected <registry>/<name>@<alias> or <registry>/<name>/<version>`,
    );
  }
  return { registry: parseRegistryPart(uri, registryPart), ...parseModelSelector(`${name}/${last}`) };
}

/** `<name>@<alias>` or `<name>/<version>`: a model URI without its registry. */
export function parseModelSelector(text: string): ModelSelector {
  const at = text.indexOf('@');
  if (at !== -1)
    return { name: checkName(text.slice(0, at)), kind: 'alias', alias: checkAlias(text.slice(at + 1)) };
  const slash = text.indexOf('/');
  if (slash === -1) {
    throw new RegistryError(`invalid model "${text}": expected <name>@<alias> or <name>/<version>`);
  }
  return {
    name: checkName(text.slice(0, slash)),
    kind: 'version',
    version: checkVersion(text.slice(slash + 1)),
  };
}

/**
 * Whether a model URI names a model in a registry: anything on S3 (`s3://<bucket>/<prefix>/<name>@<alias>` or
 * `…/<name>/<version>`), or an alias in a local registry (`file:///srv/models/<name>@<alias>`,
 * `models/<name>@<alias>`). Other URIs are local model directories (a path or a `file://` URL).
 */
export function isRegistryModelUri(uri: string): boolean {
  return /^s3:/i.test(uri) || (uri.replace(/\/+$/, '').split('/').at(-1) ?? '').includes('@');
}

/**
 * Checks a `MODEL_URI`: a model in a registry must parse, and a model directory may be a path or a `file://`
 * URL, no other scheme. Whether the directory holds a model is known only when it is read.
 */
export function checkModelUri(uri: string): void {
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  if (scheme && scheme !== 's3' && scheme !== 'file') {
    throw new RegistryError(
      `scheme "${scheme}://" is not supported; use s3://<bucket>/<prefix>/<name>@<alias> ` +
        '(or …/<name>/<version>), a file:// URL or a directory path',
    );
  }
  if (isRegistryModelUri(uri)) parseModelUri(uri);
}

/** Splits at the last `/`: `a/b/c` → [`a/b`, `c`]; `/c` → [`/`, `c`]; `c` → [`.`, `c`]. */
function splitLast(text: string): [string, string] {
  const slash = text.lastIndexOf('/');
  if (slash === -1) return ['.', text];
  return [slash === 0 ? '/' : text.slice(0, slash), text.slice(slash + 1)];
}

function parseRegistryPart(uri: string, registry: string): RegistryLocation {
  try {
    // A scheme cut in half (`s3:/`, `file:`) means the URI named no registry at all.
    if (/^[a-z][a-z0-9+.-]*:\/?$/i.test(registry)) throw new RegistryError('no registry');
    return parseRegistryUri(registry);
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    throw new RegistryError(
      `invalid model URI "${uri}": ${error.message}; expected <registry>/<name>@<alias> or <registry>/<name>/<version>`,
    );
  }
}

export function formatRegistryUri(location: RegistryLocation): string {
  return location.kind === 's3' ? `s3://${location.bucket}/${location.prefix}` : location.dir;
}

export function formatModelUri(ref: ModelRef): string {
  const registry = formatRegistryUri(ref.registry).replace(/\/$/, '');
  return ref.kind === 'alias'
    ? `${registry}/${ref.name}@${ref.alias}`
    : `${registry}/${ref.name}/${ref.version}`;
}
