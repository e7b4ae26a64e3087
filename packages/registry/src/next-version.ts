import { checkName } from '@glyco/contract';
import { RegistryError } from './errors.ts';
import type { ObjectStore } from './store.ts';

const SEMVER = /^(\d+)\.(\d+)\.(\d+)$/;

/**
 * The next minor version after `from` (1.1.0 → 1.2.0) that no folder of the model holds yet, not even in part:
 * a publish cut short leaves files without a manifest, and a version of other bytes must not land on them.
 */
export async function nextFreeVersion(store: ObjectStore, name: string, from: string): Promise<string> {
  const match = SEMVER.exec(from);
  if (!match) {
    throw new RegistryError(
      `cannot derive a version after "${from}" (not MAJOR.MINOR.PATCH); choose one with --version`,
    );
  }
  const taken = new Set((await store.listKeys(checkName(name))).map((key) => key.split('/')[0]));
  const [major, minor] = [Number(match[1]), Number(match[2])];
  for (let next = minor + 1; ; next++) {
    const candidate = `${major}.${next}.0`;
    if (!taken.has(candidate)) return candidate;
  }
}
