import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRegistry, publish, readVerifiedVersion, WriteConflictError } from '../src/index.ts';
import { LocalStore } from '../src/local-store.ts';
import { temporaryDir, writeModelDir } from './support.ts';

const encode = (text: string) => new TextEncoder().encode(text);
const json = { contentType: 'application/json' };

describe('a local registry directory', () => {
  let scratch: Awaited<ReturnType<typeof temporaryDir>>;
  beforeEach(async () => {
    scratch = await temporaryDir('local');
  });
  afterEach(() => scratch.remove());

  it('honours create-only and compare-and-swap writes, as S3 conditional writes do', async () => {
    const store = new LocalStore(join(scratch.dir, 'models'));
    await store.write('a/aliases/production.json', encode('v1'), {
      ...json,
      condition: { ifNoneMatch: '*' },
    });
    const first = (await store.read('a/aliases/production.json'))!;

    await expect(
      store.write('a/aliases/production.json', encode('v2'), { ...json, condition: { ifNoneMatch: '*' } }),
    ).rejects.toBeInstanceOf(WriteConflictError);
    await store.write('a/aliases/production.json', encode('v2'), {
      ...json,
      condition: { ifMatch: first.etag },
    });
    await expect(
      store.write('a/aliases/production.json', encode('v3'), { ...json, condition: { ifMatch: first.etag } }),
    ).rejects.toBeInstanceOf(WriteConflictError);

    expect(new TextDecoder().decode((await store.read('a/aliases/production.json'))!.body)).toBe('v2');
    expect(await store.readIfChanged('a/aliases/production.json', first.etag)).not.toBe('unchanged');
    const second = (await store.read('a/aliases/production.json'))!;
    expect(await store.readIfChanged('a/aliases/production.json', second.etag)).toBe('unchanged');
    expect(await store.listKeys('')).toEqual(['a/aliases/production.json']);
  });

  it('lets exactly one of two concurrent publishes of one version win, intact', async () => {
    const store = openRegistry(join(scratch.dir, 'models'));
    const ours = await writeModelDir(join(scratch.dir, 'ours'), {
      version: '1.0.0',
      cvAuc: 0.84,
      onnx: 'ours',
    });
    const theirs = await writeModelDir(join(scratch.dir, 'theirs'), {
      version: '1.0.0',
      cvAuc: 0.84,
      onnx: 'theirs',
    });

    const [a, b] = await Promise.allSettled([publish(store, ours), publish(store, theirs)]);

    expect([a!.status, b!.status].sort()).toEqual(['fulfilled', 'rejected']);
    const { model } = await readVerifiedVersion(store, 'pima-diabetes', '1.0.0');
    expect(new TextDecoder().decode(model)).toBe(a!.status === 'fulfilled' ? 'ours' : 'theirs');
  });

  it('says so when the registry directory does not exist', async () => {
    const store = openRegistry(join(scratch.dir, 'nowhere'));
    await expect(store.listKeys('')).rejects.toThrow(
      /no registry at .*nowhere: the directory does not exist/,
    );
  });
});
