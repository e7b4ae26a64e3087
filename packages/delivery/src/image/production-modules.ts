import { cp, readFile, realpath, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** A package to copy, and the directory Node resolves it from: the package that declares it. */
export interface ModuleRequest {
  name: string;
  from: string;
}

/**
 * The npm packages a workspace package needs at run time, each with the directory it is resolved from: its own
 * `dependencies`, and those of the workspace packages it depends on (`workspace:` versions), and so on.
 */
export async function productionDependencies(packageDir: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const visited = new Set<string>();
  const queue = [await realpath(packageDir)];
  for (let dir = queue.shift(); dir; dir = queue.shift()) {
    if (visited.has(dir)) continue;
    visited.add(dir);
    const { dependencies = {} } = JSON.parse(
      await readFile(join(dir, 'package.json'), 'utf8'),
    ) as PackageJson;
    for (const [name, version] of Object.entries(dependencies)) {
      if (version.startsWith('workspace:')) queue.push(await realpath(join(dir, 'node_modules', name)));
      else if (!found.has(name)) found.set(name, dir);
    }
  }
  return found;
}

/**
 * Copies packages and their production dependencies (`dependencies`, and `optionalDependencies` that are
 * installed), resolved the way Node resolves them from each request's directory, into one flat `node_modules`.
 * The copies are the lockfile's exact versions as installed in the workspace: nothing is fetched. Returns
 * `name@version`s.
 */
export async function copyProductionModules(
  requests: readonly ModuleRequest[],
  nodeModulesDir: string,
): Promise<string[]> {
  const copied = new Map<string, string>();
  const queue = requests.map(({ name, from }) => ({ name, from, optional: false }));
  for (let item = queue.shift(); item; item = queue.shift()) {
    const source = await resolvePackageDir(item.name, item.from);
    if (!source) {
      if (item.optional) continue;
      throw new Error(
        `cannot find package "${item.name}" from ${item.from}: is it installed (pnpm install)?`,
      );
    }
    const manifest = JSON.parse(await readFile(join(source, 'package.json'), 'utf8')) as PackageJson;
    const already = copied.get(item.name);
    if (already === manifest.version) continue;
    if (already) {
      throw new Error(
        `${item.name} is needed at ${already} and at ${manifest.version}; a flat node_modules holds one version`,
      );
    }
    copied.set(item.name, manifest.version);
    await cp(source, join(nodeModulesDir, item.name), {
      recursive: true,
      dereference: true,
      filter: (path) => !path.slice(source.length).split('/').includes('node_modules'),
    });
    for (const name of Object.keys(manifest.dependencies ?? {}))
      queue.push({ name, from: source, optional: false });
    for (const name of Object.keys(manifest.optionalDependencies ?? {})) {
      queue.push({ name, from: source, optional: true });
    }
  }
  return [...copied].map(([name, version]) => `${name}@${version}`).sort();
}

/** Node's lookup: `node_modules/<name>` in `from` and each parent directory; the real path, links resolved. */
async function resolvePackageDir(name: string, from: string): Promise<string | undefined> {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (await isFile(join(candidate, 'package.json'))) return realpath(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (stats) => stats.isFile(),
    () => false,
  );
}
