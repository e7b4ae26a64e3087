import { checkName, DATASETS_DIR, sha256Hex } from '@glyco/contract';
import { RegistryError, WriteConflictError } from './errors.ts';
import type { ObjectStore } from './store.ts';

const SHA256 = /^[0-9a-f]{64}$/;

/** `<name>/datasets/<sha256>.csv`: training data by content, written once and shared by every version trained on it. */
export function datasetKey(name: string, sha256: string): string {
  if (!SHA256.test(sha256))
    throw new RegistryError(`invalid dataset hash "${sha256}": a lowercase hex sha256`);
  return `${checkName(name)}/${DATASETS_DIR}/${sha256}.csv`;
}

export type StoredDataset = { key: string; sha256: string; bytes: number; created: boolean };

/**
 * Stores training data under its sha256, unless it is there already (its name is its content, so what is there is
 * the same bytes); a new object is read back and compared before it counts as stored.
 */
export async function storeDataset(
  store: ObjectStore,
  name: string,
  data: Uint8Array,
): Promise<StoredDataset> {
  const sha256 = sha256Hex(data);
  const key = datasetKey(name, sha256);
  const stored = { key, sha256, bytes: data.byteLength };
  if (await store.exists(key)) return { ...stored, created: false };
  try {
    await store.write(key, data, { contentType: 'text/csv; charset=utf-8', condition: { ifNoneMatch: '*' } });
  } catch (error) {
    // A concurrent publish of another version trained on the same data stored it first.
    if (error instanceof WriteConflictError) return { ...stored, created: false };
    throw error;
  }
  await readDataset(store, name, sha256);
  return { ...stored, created: true };
}

/** The stored training data with this sha256, checked against it: a tampered or truncated file is refused. */
export async function readDataset(store: ObjectStore, name: string, sha256: string): Promise<Uint8Array> {
  const key = datasetKey(name, sha256);
  const object = await store.read(key);
  if (!object)
    throw new RegistryError(`${store.uri}/${key} does not exist: no dataset with that sha256 was stored`);
  const actual = sha256Hex(object.body);
  if (actual !== sha256) {
    throw new RegistryError(
      `${store.uri}/${key}: its sha256 is ${actual}; refusing a tampered or truncated dataset`,
    );
  }
  return object.body;
}
