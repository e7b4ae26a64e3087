import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BinaryModelManifest, sha256Hex } from '@glyco/contract';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ObjectStore, openRegistry, publish, readDataset } from '../src/index.ts';
import { type RegistryBackend, registryBackends, temporaryDir, writeModelDir } from './support.ts';

const MODEL = 'pima-diabetes';
const DATA = 'glucose,age,diabetes\n148,50,pos\n85,31,neg\n';

/** A model directory whose manifest says it was trained on `data`. */
function trainedOn(root: string, version: string, data: string) {
  return writeModelDir(root, {
    version,
    cvAuc: 0.84,
    edit: (manifest: BinaryModelManifest) => {
      manifest.trainingData.sha256 = sha256Hex(new TextEncoder().encode(data));
    },
  });
}

describe.each(Object.keys(registryBackends))('training data in a registry at %s', (kind) => {
  let backend: RegistryBackend;
  let scratch: Awaited<ReturnType<typeof temporaryDir>>;
  let store: ObjectStore;
  let root: string;
  beforeAll(async () => {
    backend = await registryBackends[kind]!();
    scratch = await temporaryDir('datasets');
  });
  afterAll(async () => {
    await backend.stop();
    await scratch.remove();
  });
  beforeEach(async (context) => {
    store = openRegistry(backend.newRegistryUri(), backend.options);
    root = join(scratch.dir, context.task.id);
    await mkdir(root, { recursive: true });
  });

  it('is stored by publish under its sha256, once for every version trained on it', async () => {
    const dataFile = join(root, 'pima.csv');
    await writeFile(dataFile, DATA);
    const sha256 = sha256Hex(new TextEncoder().encode(DATA));

    const first = await publish(store, await trainedOn(root, '1.0.0', DATA), { data: dataFile });
    expect(first.dataset).toEqual({
      key: `${MODEL}/datasets/${sha256}.csv`,
      sha256,
      bytes: DATA.length,
      created: true,
    });
    const second = await publish(store, await trainedOn(join(root, 'b'), '1.1.0', DATA), { data: dataFile });
    expect(second.dataset?.created).toBe(false);
    expect(new TextDecoder().decode(await readDataset(store, MODEL, sha256))).toBe(DATA);
  });

  it('is found beside the model directory in the local registry glyco train wrote, when not given', async () => {
    const modelDir = await trainedOn(root, '1.0.0', DATA);
    const sha256 = sha256Hex(new TextEncoder().encode(DATA));
    await mkdir(join(root, MODEL, 'datasets'), { recursive: true });
    await writeFile(join(root, MODEL, 'datasets', `${sha256}.csv`), DATA);

    expect((await publish(store, modelDir)).dataset?.sha256).toBe(sha256);
    expect(await store.exists(`${MODEL}/datasets/${sha256}.csv`)).toBe(true);
  });

  it('is left out, not made up, when there is none', async () => {
    expect((await publish(store, await trainedOn(root, '1.0.0', DATA))).dataset).toBeUndefined();
  });

  it('must be the data the manifest names: other data refuses the publish before anything is uploaded', async () => {
    const other = join(root, 'other.csv');
    await writeFile(other, `${DATA}72,22,neg\n`);
    await expect(publish(store, await trainedOn(root, '1.0.0', DATA), { data: other })).rejects.toThrow(
      /other\.csv is not the data pima-diabetes 1\.0\.0 was trained on: its sha256 is [0-9a-f]{64}, the manifest's trainingData\.sha256 is/,
    );
    expect(await store.exists(`${MODEL}/1.0.0/model.onnx`)).toBe(false);
    expect(await store.exists(`${MODEL}/datasets/${sha256Hex(new TextEncoder().encode(DATA))}.csv`)).toBe(
      false,
    );
  });

  it('is refused when it no longer matches its name (tampered or truncated)', async () => {
    const sha256 = sha256Hex(new TextEncoder().encode(DATA));
    await store.write(`${MODEL}/datasets/${sha256}.csv`, new TextEncoder().encode(DATA.slice(0, 20)), {
      contentType: 'text/csv',
    });
    await expect(readDataset(store, MODEL, sha256)).rejects.toThrow(/its sha256 is [0-9a-f]{64}; refusing/);
    await expect(readDataset(store, MODEL, 'c'.repeat(64))).rejects.toThrow(/does not exist/);
  });
});
