import { ALIASES_DIR, isModelName, type ModelManifest, RESERVED_FOLDERS } from '@glyco/contract';
import { type AliasRecord, readAlias } from './alias.ts';
import { RegistryError } from './errors.ts';
import type { ObjectStore } from './store.ts';
import { readManifest } from './versions.ts';

/** A version folder: its manifest, or why it has none that can be used (an interrupted publish, a bad edit). */
export type VersionEntry = { version: string; manifest?: ModelManifest; problem?: string };
export type AliasEntry = { alias: string; record?: AliasRecord; problem?: string };
export type ModelEntry = { name: string; versions: VersionEntry[]; aliases: AliasEntry[] };

const byVersion = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/** Every model in the registry with its versions (in version order) and aliases; unreadable entries are reported. */
export async function listModels(store: ObjectStore): Promise<ModelEntry[]> {
  const folders = new Map<string, { versions: Set<string>; aliases: Set<string> }>();
  for (const key of await store.listKeys('')) {
    const [name, folder, file] = key.split('/');
    if (!name || !folder || !file || !isModelName(name)) continue;
    const model = folders.get(name) ?? { versions: new Set(), aliases: new Set() };
    folders.set(name, model);
    if (folder === ALIASES_DIR) {
      if (file.endsWith('.json')) model.aliases.add(file.slice(0, -'.json'.length));
    } else if (!RESERVED_FOLDERS.includes(folder)) model.versions.add(folder);
  }
  const names = [...folders.keys()].sort();
  return Promise.all(
    names.map(async (name) => {
      const { versions, aliases } = folders.get(name)!;
      const [versionEntries, aliasEntries] = await Promise.all([
        Promise.all(
          [...versions].sort(byVersion).map(async (version): Promise<VersionEntry> => {
            const [manifest, problem] = await attempt(() => readManifest(store, name, version));
            return { version, manifest, problem };
          }),
        ),
        Promise.all(
          [...aliases].sort().map(async (alias): Promise<AliasEntry> => {
            const [found, problem] = await attempt(() => readAlias(store, name, alias));
            return { alias, record: found?.record, problem };
          }),
        ),
      ]);
      return { name, versions: versionEntries, aliases: aliasEntries };
    }),
  );
}

/** The value, or the registry's complaint about it: one bad entry must not hide the rest of a catalog. */
async function attempt<T>(load: () => Promise<T>): Promise<[T, undefined] | [undefined, string]> {
  try {
    return [await load(), undefined];
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    return [undefined, error.message];
  }
}
