import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RegistryError } from './errors.ts';
import { checkAlias, checkName, checkVersion } from './layout.ts';

/** Where a registry lives: a key prefix in a bucket, or a local directory (absolute). */
export type RegistryLocation = { kind: 's3'; bucket: string; prefix: string } | { kind: 'file'; dir: string };

/** One model in a registry, named either by an immutable version or by an alias that moves. */
export type ModelRef = { registry: RegistryLocation; name: string } & (
  | { kind: 'version'; version: string }
  | { kind: 'alias'; alias: string }
);

const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const OTHER_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * `s3://<bucket>/<prefix>` (the prefix is required: the layout puts models under `s3://<bucket>/models`),
 * `file://<absolute path>`, or a plain path (relative to the working directory).
 */
export function parseRegistryUri(uri: string): RegistryLocation {
  if (uri.trim() === '') throw new RegistryError('empty registry URI');
  if (uri.startsWith('s3:')) return parseS3(uri);
  if (uri.startsWith('file:')) return { kind: 'file', dir: resolve(fileUriToPath(uri)) };
  if (OTHER_SCHEME.test(uri)) {
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
  const at = last.indexOf('@');
  if (at !== -1) {
    const registry = parseRegistryPart(uri, rest);
    return {
      registry,
      name: checkName(last.slice(0, at)),
      kind: 'alias',
      alias: checkAlias(last.slice(at + 1)),
    };
  }
  const [registryPart, name] = splitLast(rest);
  if (name === '') {
    throw new RegistryError(
      `invalid model URI "${uri}": expected <registry>/<name>@<alias> or <registry>/<name>/<version>`,
    );
  }
  const registry = parseRegistryPart(uri, registryPart);
  return { registry, name: checkName(name), kind: 'version', version: checkVersion(last) };
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
