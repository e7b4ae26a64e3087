import { join } from 'node:path';
import { parseModelSelector } from '@glyco/contract';
import {
  listModels,
  type ManifestSigner,
  type ObjectStore,
  openRegistry,
  promote,
  publish,
  RegistryError,
  readManifest,
  signVersion,
} from '@glyco/registry';
import { aliasKey, manifestKey, signatureKey } from '@glyco/registry/layout';

/**
 * Makes an environment's registry serve a model a target is configured with (`<name>@<alias>` or
 * `<name>/<version>`) when it does not yet, from the repository's bundled registry: a new environment's first
 * deploy then works without a release by hand. A missing version is published from the bundle; a missing alias
 * is pointed at the newest bundled version, published first if needed, with the move recorded in its history
 * like any promotion. An alias that exists is never moved (releases are `glyco promote`'s), and a registry
 * version with other bytes than the bundled one of the same number is refused. With a signer, what it publishes
 * is signed, and so is a bundled version found there unsigned (published before signing was on) whose manifest
 * is the bundled one byte for byte. Running it again changes nothing. Returns one line per model saying what it
 * found or did.
 */
export async function ensureModels(args: {
  registry: ObjectStore;
  /** The bundled registry directory (the repository's `models/`). */
  bundledDir: string;
  models: string[];
  reason: string;
  signer?: ManifestSigner | undefined;
}): Promise<string[]> {
  const lines: string[] = [];
  for (const model of new Set(args.models)) lines.push(await ensureModel({ ...args, model }));
  return lines;
}

async function ensureModel(args: {
  registry: ObjectStore;
  bundledDir: string;
  model: string;
  reason: string;
  signer?: ManifestSigner | undefined;
}): Promise<string> {
  const { registry, model } = args;
  const selector = parseModelSelector(model);
  if (selector.kind === 'version') {
    const published = await publishBundled(args, selector.name, selector.version);
    return `${model}: ${published ? 'published from the bundled registry' : 'already published'}`;
  }
  if (await registry.exists(aliasKey(selector.name, selector.alias))) {
    return `${model}: already in ${registry.uri}, left as it is`;
  }
  const version = await newestBundledVersion(args.bundledDir, selector.name);
  const published = await publishBundled(args, selector.name, version);
  await promote(registry, { name: selector.name, version, alias: selector.alias, reason: args.reason });
  return `${model}: ${published ? 'published' : 'found'} the bundled ${version} in ${registry.uri} and pointed ${selector.alias} at it`;
}

/** Publishes a bundled version the registry lacks; true when it did. The same number must mean the same model. */
async function publishBundled(
  args: { registry: ObjectStore; bundledDir: string; signer?: ManifestSigner | undefined },
  name: string,
  version: string,
): Promise<boolean> {
  const { registry, signer } = args;
  const bundled = await readManifest(openRegistry(args.bundledDir), name, version).catch((error) => {
    if (!(error instanceof RegistryError)) throw error;
    throw new RegistryError(
      `${name} ${version} is neither in ${registry.uri} nor bundled in ${args.bundledDir}: publish it there by hand`,
    );
  });
  if (!(await registry.exists(manifestKey(name, version)))) {
    await publish(registry, join(args.bundledDir, name, version), { signer });
    return true;
  }
  const there = await readManifest(registry, name, version);
  if (there.onnx.sha256 !== bundled.onnx.sha256) {
    throw new RegistryError(
      `${registry.uri} holds a ${name} ${version} (model sha256 ${there.onnx.sha256}) that is not the bundled ` +
        `one (${bundled.onnx.sha256}): promote the version you mean by hand`,
    );
  }
  if (signer && !(await registry.exists(signatureKey(name, version)))) await signBundled(args, name, version);
  return false;
}

/** Signs the bundled version published unsigned, only when its manifest there is the bundled one exactly. */
async function signBundled(
  args: { registry: ObjectStore; bundledDir: string; signer?: ManifestSigner | undefined },
  name: string,
  version: string,
): Promise<void> {
  const there = await args.registry.read(manifestKey(name, version));
  const bundled = await openRegistry(args.bundledDir).read(manifestKey(name, version));
  if (!there || !bundled || Buffer.compare(Buffer.from(there.body), Buffer.from(bundled.body)) !== 0) {
    throw new RegistryError(
      `${args.registry.uri} holds an unsigned ${name} ${version} whose manifest is not the bundled one: ` +
        'review it and sign it by hand (glyco sign), or promote a signed version',
    );
  }
  await signVersion(args.registry, name, version, args.signer!);
}

async function newestBundledVersion(bundledDir: string, name: string): Promise<string> {
  const entry = (await listModels(openRegistry(bundledDir))).find((model) => model.name === name);
  const usable = entry?.versions.filter((version) => version.manifest) ?? [];
  const newest = usable.at(-1)?.version;
  if (!newest) throw new RegistryError(`no version of ${name} is bundled in ${bundledDir} to start from`);
  return newest;
}
