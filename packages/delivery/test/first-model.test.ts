import { createPublicKey } from 'node:crypto';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createSigningKeyPair,
  fetchModel,
  listModels,
  localSigner,
  type ObjectStore,
  openRegistry,
  promote,
  publish,
} from '@glyco/registry';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BUCKET, startS3, temporaryDir, writeModelDir } from '../../registry/test/support.ts';
import { ensureModels } from '../src/first-model/first-model.ts';
import { workspaceRoot } from '../src/paths.ts';

/**
 * The repository's bundled registry, whose pima-diabetes the committed configs serve as pima-diabetes@production;
 * its newest version, 1.1.0, is what a new environment's first deploy publishes.
 */
const BUNDLED = join(workspaceRoot, 'models');

let s3: Awaited<ReturnType<typeof startS3>>;
let registry: ObjectStore;
let prefix = 0;

beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3.stop();
});
// A fresh, empty registry (prefix) per test, as a new environment's bucket is.
beforeEach(() => {
  registry = openRegistry(`s3://${BUCKET}/env-${++prefix}/models`, { s3Client: s3.client });
});

const aliases = async () =>
  (await listModels(registry)).flatMap((model) =>
    model.aliases.map((entry) => `${model.name}@${entry.alias} → ${entry.record?.version}`),
  );

describe("the first model of a new environment's registry", () => {
  it('publishes the newest bundled version and points the alias at it, with the reason in its history', async () => {
    const lines = await ensureModels({
      registry,
      bundledDir: BUNDLED,
      models: ['pima-diabetes@production', 'pima-diabetes@production'],
      reason: 'first deploy of dev',
    });
    expect(lines).toEqual([
      expect.stringMatching(
        /^pima-diabetes@production: published the bundled 1\.1\.0 .* pointed production at it$/,
      ),
    ]);
    expect(await aliases()).toEqual(['pima-diabetes@production → 1.1.0']);
    const [model] = await listModels(registry);
    expect(model?.aliases[0]?.record?.history.at(-1)).toMatchObject({
      action: 'promote',
      version: '1.1.0',
      reason: 'first deploy of dev',
    });
  });

  it('leaves an alias that exists where it points, and changes nothing when run again', async () => {
    await ensureModels({ registry, bundledDir: BUNDLED, models: ['pima-diabetes@production'], reason: 'x' });
    const before = await listModels(registry);
    const again = await ensureModels({
      registry,
      bundledDir: BUNDLED,
      models: ['pima-diabetes@production'],
      reason: 'x',
    });
    expect(again).toEqual([expect.stringMatching(/already in .*, left as it is$/)]);
    expect(await listModels(registry)).toEqual(before);
  });

  it('never moves a released alias, even to a newer bundled version', async () => {
    const scratch = await temporaryDir('first-model');
    try {
      // What a team released itself: 0.9.0, not in the bundle, promoted by hand.
      await publish(registry, await writeModelDir(scratch.dir, { version: '0.9.0', cvAuc: 0.8 }));
      await promote(registry, { name: 'pima-diabetes', version: '0.9.0', alias: 'production' });
      await ensureModels({
        registry,
        bundledDir: BUNDLED,
        models: ['pima-diabetes@production'],
        reason: 'x',
      });
      expect(await aliases()).toEqual(['pima-diabetes@production → 0.9.0']);
    } finally {
      await scratch.remove();
    }
  });

  it('finishes what an interrupted first deploy began: a version published but not yet promoted', async () => {
    await publish(registry, join(BUNDLED, 'pima-diabetes', '1.1.0'));
    const lines = await ensureModels({
      registry,
      bundledDir: BUNDLED,
      models: ['pima-diabetes@production'],
      reason: 'x',
    });
    expect(lines).toEqual([expect.stringMatching(/found the bundled 1\.1\.0 .* pointed production at it$/)]);
    expect(await aliases()).toEqual(['pima-diabetes@production → 1.1.0']);
  });

  it('publishes a pinned version the registry lacks, and sets no alias for it', async () => {
    const lines = await ensureModels({
      registry,
      bundledDir: BUNDLED,
      models: ['pima-diabetes/1.0.0'],
      reason: 'x',
    });
    expect(lines).toEqual(['pima-diabetes/1.0.0: published from the bundled registry']);
    expect((await listModels(registry))[0]?.versions.map((v) => v.version)).toEqual(['1.0.0']);
    expect(await aliases()).toEqual([]);
  });

  it('refuses a registry version that is not the bundled one of the same number', async () => {
    const scratch = await temporaryDir('first-model');
    try {
      await publish(registry, await writeModelDir(scratch.dir, { version: '1.1.0', cvAuc: 0.8 }));
      await expect(
        ensureModels({ registry, bundledDir: BUNDLED, models: ['pima-diabetes@production'], reason: 'x' }),
      ).rejects.toThrow(/holds a pima-diabetes 1\.1\.0 \(model sha256 \w+\) that is not the bundled one/);
      expect(await aliases()).toEqual([]);
    } finally {
      await scratch.remove();
    }
  });

  it('says so when the model is neither there nor bundled', async () => {
    const scratch = await temporaryDir('first-model');
    try {
      await cp(BUNDLED, scratch.dir, { recursive: true });
      await expect(
        ensureModels({ registry, bundledDir: scratch.dir, models: ['other-model@production'], reason: 'x' }),
      ).rejects.toThrow(/no version of other-model is bundled in/);
      await expect(
        ensureModels({ registry, bundledDir: scratch.dir, models: ['pima-diabetes/9.9.9'], reason: 'x' }),
      ).rejects.toThrow(/pima-diabetes 9\.9\.9 is neither in s3:.* nor bundled in/);
    } finally {
      await scratch.remove();
    }
  });
});

describe('the first model, signed with the platform key', () => {
  const keys = createSigningKeyPair();
  const signer = localSigner(keys.privateKeyPem, 'test key');
  const fetchSigned = (version: string) =>
    fetchModel(
      `s3://${BUCKET}/env-${prefix}/models/pima-diabetes/${version}`,
      join(cacheRoot, String(prefix)),
      {
        s3Client: s3.client,
        trusted: [createPublicKey(keys.publicKeyPem)],
      },
    );
  let cacheRoot: string;
  beforeAll(async () => {
    cacheRoot = (await temporaryDir('first-model-cache')).dir;
  });

  it('signs what it publishes, so that servers requiring signatures load it', async () => {
    await ensureModels({
      registry,
      bundledDir: BUNDLED,
      models: ['pima-diabetes@production'],
      reason: 'x',
      signer,
    });
    expect((await fetchSigned('1.1.0')).version).toBe('1.1.0');
  });

  it('signs the bundled version an earlier deploy published unsigned, and nothing else', async () => {
    await publish(registry, join(BUNDLED, 'pima-diabetes/1.1.0'));
    await expect(fetchSigned('1.1.0')).rejects.toThrow(/refusing an unsigned model/);
    await ensureModels({
      registry,
      bundledDir: BUNDLED,
      models: ['pima-diabetes/1.1.0'],
      reason: 'x',
      signer,
    });
    expect((await fetchSigned('1.1.0')).version).toBe('1.1.0');

    // A version whose manifest differs from the bundled one (same model bytes) is left for a person to review.
    const edited = await writeModelDir((await temporaryDir('edited')).dir, { version: '1.0.0', cvAuc: 0.8 });
    await cp(join(BUNDLED, 'pima-diabetes/1.0.0/model.onnx'), join(edited, 'model.onnx'));
    const manifest = JSON.parse(await readFile(join(BUNDLED, 'pima-diabetes/1.0.0/manifest.json'), 'utf8'));
    manifest.description = 'edited in the registry';
    await writeFile(join(edited, 'manifest.json'), JSON.stringify(manifest));
    await publish(registry, edited);
    await expect(
      ensureModels({ registry, bundledDir: BUNDLED, models: ['pima-diabetes/1.0.0'], reason: 'x', signer }),
    ).rejects.toThrow(/holds an unsigned pima-diabetes 1\.0\.0 whose manifest is not the bundled one/);
  });
});
