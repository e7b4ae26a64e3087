import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BinaryModelManifest, type MulticlassModelManifest, primaryMetric } from '@glyco/contract';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type AliasMoved,
  fetchModel,
  listModels,
  type ObjectStore,
  openRegistry,
  promote,
  publish,
  readManifest,
  rollback,
  watchAlias,
} from '../src/index.ts';
import {
  type RegistryBackend,
  registryBackends,
  type TrainedModel,
  temporaryDir,
  writeModelDir,
} from './support.ts';

const MODEL = 'pima-diabetes';
const at = (iso: string) => ({ now: new Date(iso), actor: 'alice@ci' });

describe.each(Object.keys(registryBackends))('a registry at %s', (kind) => {
  let backend: RegistryBackend;
  let scratch: Awaited<ReturnType<typeof temporaryDir>>;
  let uri: string;
  let store: ObjectStore;
  let artifacts: string;
  let cacheDir: string;

  beforeAll(async () => {
    backend = await registryBackends[kind]!();
    scratch = await temporaryDir('artifacts');
  });
  afterAll(async () => {
    await backend.stop();
    await scratch.remove();
  });
  beforeEach(async (context) => {
    uri = backend.newRegistryUri();
    store = openRegistry(uri, backend.options);
    artifacts = join(scratch.dir, context.task.id, 'out');
    cacheDir = join(scratch.dir, context.task.id, 'cache');
  });

  async function published(...models: TrainedModel[]): Promise<void> {
    for (const model of models) await publish(store, await writeModelDir(artifacts, model));
  }

  async function aliasRecord(alias: string) {
    const [entry] = await listModels(store);
    return entry?.aliases.find((entry) => entry.alias === alias)?.record;
  }

  describe('publish', () => {
    it('uploads a trainer output directory as a version and lists it', async () => {
      const dir = await writeModelDir(artifacts, { version: '1.0.0', cvAuc: 0.84 });
      const result = await publish(store, dir);

      expect(result.files.map((file) => file.file).sort()).toEqual([
        'card.md',
        'manifest.json',
        'model.onnx',
        'roc.svg',
      ]);
      const stored = await store.read(`${MODEL}/1.0.0/model.onnx`);
      expect(Buffer.from(stored!.body)).toEqual(await readFile(join(dir, 'model.onnx')));
      const models = await listModels(store);
      expect(models).toHaveLength(1);
      expect(models[0]!.name).toBe(MODEL);
      expect(
        models[0]!.versions.map((entry) => [
          entry.version,
          entry.manifest && primaryMetric(entry.manifest).crossValidated.mean,
        ]),
      ).toEqual([['1.0.0', 0.84]]);
    });

    it('refuses to publish a version twice and keeps the first', async () => {
      await published({ version: '1.0.0', cvAuc: 0.84 });
      const again = await writeModelDir(join(artifacts, 'again'), { version: '1.0.0', cvAuc: 0.9 });

      await expect(publish(store, again)).rejects.toThrow(/pima-diabetes 1\.0\.0 is already in .*immutable/);
      expect(primaryMetric(await readManifest(store, MODEL, '1.0.0')).crossValidated.mean).toBe(0.84);
    });

    it('completes an interrupted publish of the same files, and refuses leftovers of other files', async () => {
      const dir = await writeModelDir(artifacts, { version: '1.0.0', cvAuc: 0.84 });
      const leftover = (version: string, text: string) =>
        store.write(`${MODEL}/${version}/model.onnx`, new TextEncoder().encode(text), {
          contentType: 'application/octet-stream',
        });
      await leftover('1.0.0', 'stand-in model bytes for 1.0.0');
      expect((await publish(store, dir)).version).toBe('1.0.0');

      const other = await writeModelDir(join(artifacts, 'other'), { version: '2.0.0', cvAuc: 0.84 });
      await leftover('2.0.0', 'half of another model');
      await expect(publish(store, other)).rejects.toThrow(/2\.0\.0\/model\.onnx already holds other content/);
      expect(await store.exists(`${MODEL}/2.0.0/manifest.json`)).toBe(false);
    });

    it('dying after the model upload leaves a version no alias can point at, and a rerun completes it', async () => {
      await published({ version: '1.0.0', cvAuc: 0.84 });
      await promote(store, {
        name: MODEL,
        version: '1.0.0',
        alias: 'production',
        ...at('2026-11-24T09:00:00Z'),
      });
      // The process dies as it uploads the manifest, the last object of a version: model and card are in.
      const dying = new Proxy(store, {
        get(target, property) {
          if (property === 'write') {
            const write: ObjectStore['write'] = (key, body, options) =>
              key.endsWith('/manifest.json')
                ? Promise.reject(new Error('killed'))
                : target.write(key, body, options);
            return write;
          }
          const value = Reflect.get(target, property);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const dir = await writeModelDir(artifacts, { version: '1.1.0', cvAuc: 0.9 });
      await expect(publish(dying, dir)).rejects.toThrow(/killed/);
      expect(await store.exists(`${MODEL}/1.1.0/model.onnx`)).toBe(true);

      await expect(promote(store, { name: MODEL, version: '1.1.0', alias: 'production' })).rejects.toThrow(
        /pima-diabetes 1\.1\.0 is not in the registry/,
      );
      expect((await aliasRecord('production'))?.version).toBe('1.0.0');
      expect((await fetchModel(`${uri}/${MODEL}@production`, cacheDir, backend.options)).version).toBe(
        '1.0.0',
      );
      const partial = (await listModels(store))[0]!.versions.find((entry) => entry.version === '1.1.0');
      expect(partial).toMatchObject({
        manifest: undefined,
        problem: expect.stringMatching(/not in the registry/),
      });

      expect((await publish(store, dir)).version).toBe('1.1.0');
    });

    it('refuses a directory whose model does not match its manifest', async () => {
      const dir = await writeModelDir(artifacts, { version: '1.0.0', cvAuc: 0.84 });
      await writeFile(join(dir, 'model.onnx'), 'edited after training');

      await expect(publish(store, dir)).rejects.toThrow(
        /model\.onnx: sha256 \w+ does not match the manifest/,
      );
      expect(await store.exists(`${MODEL}/1.0.0/manifest.json`)).toBe(false);
    });
  });

  describe('promote', () => {
    it('points an alias at a version and records who, when and why', async () => {
      await published({ version: '1.0.0', cvAuc: 0.84 });
      const change = await promote(store, {
        name: MODEL,
        version: '1.0.0',
        alias: 'production',
        reason: 'first release',
        ...at('2026-12-01T10:00:00.000Z'),
      });

      expect(change).toMatchObject({ alias: 'production', to: '1.0.0' });
      expect(change.from).toBeUndefined();
      expect(await aliasRecord('production')).toEqual({
        schemaVersion: 1,
        name: MODEL,
        alias: 'production',
        version: '1.0.0',
        updatedAt: '2026-12-01T10:00:00.000Z',
        updatedBy: 'alice@ci',
        reason: 'first release',
        history: [
          {
            action: 'promote',
            version: '1.0.0',
            at: '2026-12-01T10:00:00.000Z',
            by: 'alice@ci',
            reason: 'first release',
          },
        ],
      });
    });

    it('refuses a worse model than the one the alias serves unless forced with a reason', async () => {
      await published({ version: '1.0.0', cvAuc: 0.84 }, { version: '1.1.0', cvAuc: 0.8 });
      await promote(store, { name: MODEL, version: '1.0.0', alias: 'production' });
      const worse = { name: MODEL, version: '1.1.0', alias: 'production' };

      await expect(promote(store, worse)).rejects.toThrow(
        /refusing to promote pima-diabetes 1\.1\.0 to production: CV ROC AUC 0\.8000 is below production's 1\.0\.0 \(0\.8400\)/,
      );
      await expect(promote(store, { ...worse, force: true })).rejects.toThrow(/needs a reason/);
      expect((await aliasRecord('production'))?.version).toBe('1.0.0');

      const forced = await promote(store, { ...worse, force: true, reason: 'calibration fix' });
      expect(forced).toMatchObject({ from: '1.0.0', to: '1.1.0' });
      expect((await aliasRecord('production'))?.history.at(-1)).toMatchObject({
        action: 'promote',
        version: '1.1.0',
        from: '1.0.0',
        reason: 'calibration fix',
        forced: true,
      });
    });

    it('gates a regression model on its CV RMSE, lower being better, and never across tasks', async () => {
      await published(
        { version: '1.0.0', cvAuc: 0.84 },
        { version: '2.0.0', cvRmse: 50 },
        { version: '2.1.0', cvRmse: 55 },
        { version: '2.2.0', cvRmse: 49 },
      );
      await promote(store, { name: MODEL, version: '1.0.0', alias: 'production' });
      const regression = { name: MODEL, version: '2.0.0', alias: 'production' };
      await expect(promote(store, regression)).rejects.toThrow(
        /2\.0\.0 to production: it is a regression model, and production's 1\.0\.0 is a binary model/,
      );
      await promote(store, { ...regression, force: true, reason: 'the task changed' });

      await expect(promote(store, { ...regression, version: '2.1.0' })).rejects.toThrow(
        /CV RMSE 55\.0000 is above production's 2\.0\.0 \(50\.0000\)/,
      );
      const better = await promote(store, { ...regression, version: '2.2.0' });
      expect(better.record.history.at(-1)?.reason).toBe('CV RMSE 49.0000, was 50.0000');
      await expect(
        promote(store, { name: MODEL, version: '2.1.0', alias: 'staging', minAuc: 0.8 }),
      ).rejects.toThrow(/--min-auc gates ROC AUC, but a regression model is compared on RMSE/);
    });

    it('gates a multiclass model on its CV macro ROC AUC, and refuses one that drops a class or a category', async () => {
      const dropsSouth = (manifest: MulticlassModelManifest) => {
        const site = manifest.features[1]!;
        if (site.dtype === 'category') site.categories = ['north'];
      };
      const renamesClass = (manifest: MulticlassModelManifest) => {
        manifest.target.classLabels = ['setosa', 'versicolor', 'Virginica'];
      };
      await published(
        { version: '1.0.0', cvMacroAuc: 0.95 },
        { version: '1.1.0', cvMacroAuc: 0.94 },
        { version: '1.2.0', cvMacroAuc: 0.97, edit: dropsSouth },
        { version: '1.3.0', cvMacroAuc: 0.97, edit: renamesClass },
        { version: '1.4.0', cvMacroAuc: 0.96 },
      );
      const to = (version: string) => promote(store, { name: MODEL, version, alias: 'production' });
      await to('1.0.0');
      await expect(to('1.1.0')).rejects.toThrow(
        /CV macro ROC AUC 0\.9400 is below production's 1\.0\.0 \(0\.9500\)/,
      );
      await expect(to('1.2.0')).rejects.toThrow(
        /would break clients of 1\.0\.0: feature "site" no longer takes "south"/,
      );
      await expect(to('1.3.0')).rejects.toThrow(
        /would break clients of 1\.0\.0: class labels changed from \["setosa","versicolor","virginica"\] to \["setosa","versicolor","Virginica"\]/,
      );
      const better = await to('1.4.0');
      expect(better.record.history.at(-1)?.reason).toBe('CV macro ROC AUC 0.9600, was 0.9500');
    });

    it('with head-to-head evidence, promotes a better model whose CV is lower, within the tolerance only', async () => {
      await published(
        { version: '1.0.0', cvAuc: 0.84 },
        { version: '1.1.0', cvAuc: 0.8 },
        { version: '1.2.0', cvAuc: 0.7 },
      );
      await promote(store, { name: MODEL, version: '1.0.0', alias: 'production' });
      const wins = { value: 0.15, low: 0.08, high: 0.22 };
      const evidence = { against: '1.0.0', metric: 'rocAuc', rows: 300, improvement: wins };
      const candidate = { name: MODEL, version: '1.1.0', alias: 'production' };

      // Refused on CV alone (0.80 < 0.84), promoted on the evidence: 0.80 is within 10% of 0.84 (floor 0.756).
      await expect(promote(store, candidate)).rejects.toThrow(/CV ROC AUC 0\.8000 is below production's/);
      await expect(
        promote(store, { ...candidate, evidence: { ...evidence, cvTolerance: 0.04 } }),
      ).rejects.toThrow(/CV ROC AUC 0\.8000 is below 0\.8064, 4% short of production's 1\.0\.0 \(0\.8400\)/);
      await expect(
        promote(store, { ...candidate, evidence: { ...evidence, improvement: { ...wins, low: -0.01 } } }),
      ).rejects.toThrow(
        /on 300 evaluation rows its ROC AUC improvement over 1\.0\.0 is 0\.1500 \[-0\.0100, 0\.2200\], which reaches 0/,
      );
      await expect(
        promote(store, { ...candidate, evidence: { ...evidence, against: '0.9.0' } }),
      ).rejects.toThrow(/its evidence judges it against 0\.9\.0, but production serves 1\.0\.0 now/);
      await expect(
        promote(store, { ...candidate, evidence: { ...evidence, metric: 'rmse' } }),
      ).rejects.toThrow(/its evidence compares rmse, but a binary model is judged on ROC AUC/);
      expect((await aliasRecord('production'))?.version).toBe('1.0.0');

      const promoted = await promote(store, { ...candidate, evidence });
      expect(promoted).toMatchObject({ from: '1.0.0', to: '1.1.0' });
      expect(promoted.record.history.at(-1)?.forced).toBeUndefined();

      // A collapse of the CV is refused whatever the evidence: 0.70 is below 0.72, 10% short of 0.80.
      await expect(
        promote(store, { ...candidate, version: '1.2.0', evidence: { ...evidence, against: '1.1.0' } }),
      ).rejects.toThrow(/CV ROC AUC 0\.7000 is below 0\.7200, 10% short of production's 1\.1\.0 \(0\.8000\)/);
    });

    it("with evidence, bounds a regression model's CV RMSE from above", async () => {
      await published(
        { version: '2.0.0', cvRmse: 50 },
        { version: '2.1.0', cvRmse: 54 },
        { version: '2.2.0', cvRmse: 56 },
      );
      await promote(store, { name: MODEL, version: '2.0.0', alias: 'production' });
      const evidence = {
        against: '2.0.0',
        metric: 'rmse',
        rows: 300,
        improvement: { value: 12, low: 8, high: 16 },
      };
      await expect(
        promote(store, { name: MODEL, version: '2.2.0', alias: 'production', evidence }),
      ).rejects.toThrow(/CV RMSE 56\.0000 is above 55\.0000, 10% short of production's 2\.0\.0 \(50\.0000\)/);
      const promoted = await promote(store, { name: MODEL, version: '2.1.0', alias: 'production', evidence });
      expect(promoted.to).toBe('2.1.0');
    });

    it('refuses a model below the --min-auc gate', async () => {
      await published({ version: '1.0.0', cvAuc: 0.78 });
      await expect(
        promote(store, { name: MODEL, version: '1.0.0', alias: 'staging', minAuc: 0.8 }),
      ).rejects.toThrow(/CV ROC AUC 0\.7800 is below the gate 0\.8/);
      expect(await aliasRecord('staging')).toBeUndefined();
    });

    it("refuses a model whose features would break the API's clients", async () => {
      const addsInsulin = (manifest: BinaryModelManifest) => {
        manifest.features.push({ ...manifest.features[0]!, name: 'insulin', nullable: false });
      };
      await published({ version: '1.0.0', cvAuc: 0.84 }, { version: '2.0.0', cvAuc: 0.9, edit: addsInsulin });
      await promote(store, { name: MODEL, version: '1.0.0', alias: 'production' });

      await expect(promote(store, { name: MODEL, version: '2.0.0', alias: 'production' })).rejects.toThrow(
        /would break clients of 1\.0\.0: new required feature "insulin"/,
      );
    });

    it('refuses a version that was never published', async () => {
      await published({ version: '1.0.0', cvAuc: 0.84 });
      await expect(promote(store, { name: MODEL, version: '9.9.9', alias: 'production' })).rejects.toThrow(
        /pima-diabetes 9\.9\.9 is not in the registry/,
      );
    });
  });

  describe('rollback', () => {
    it('walks back through the releases, then refuses', async () => {
      const versions = [
        { version: '1.0.0', cvAuc: 0.84 },
        { version: '1.1.0', cvAuc: 0.85 },
        { version: '1.2.0', cvAuc: 0.86 },
      ];
      await published(...versions);
      for (const { version } of versions) await promote(store, { name: MODEL, version, alias: 'production' });

      expect(
        await rollback(store, { name: MODEL, alias: 'production', reason: 'p99 latency' }),
      ).toMatchObject({
        from: '1.2.0',
        to: '1.1.0',
      });
      expect(await aliasRecord('production')).toMatchObject({
        version: '1.1.0',
        previous: '1.0.0',
        reason: 'p99 latency',
      });
      expect(await rollback(store, { name: MODEL, alias: 'production' })).toMatchObject({
        from: '1.1.0',
        to: '1.0.0',
      });
      await expect(rollback(store, { name: MODEL, alias: 'production' })).rejects.toThrow(
        /pima-diabetes@production has nothing to roll back to: 1\.0\.0 is its first release/,
      );

      const record = await aliasRecord('production');
      expect(record?.previous).toBeUndefined();
      expect(record?.history.map((move) => `${move.action} ${move.from ?? '-'}→${move.version}`)).toEqual([
        'promote -→1.0.0',
        'promote 1.0.0→1.1.0',
        'promote 1.1.0→1.2.0',
        'rollback 1.2.0→1.1.0',
        'rollback 1.1.0→1.0.0',
      ]);
    });

    it('names the alias that does not exist', async () => {
      await published({ version: '1.0.0', cvAuc: 0.84 });
      await expect(rollback(store, { name: MODEL, alias: 'production' })).rejects.toThrow(
        /pima-diabetes has no alias "production"/,
      );
    });

    it('refuses an alias record whose history was edited by hand', async () => {
      await published({ version: '1.0.0', cvAuc: 0.84 }, { version: '1.1.0', cvAuc: 0.85 });
      await promote(store, { name: MODEL, version: '1.0.0', alias: 'production' });
      await promote(store, { name: MODEL, version: '1.1.0', alias: 'production' });
      const key = `${MODEL}/aliases/production.json`;
      const record = JSON.parse(new TextDecoder().decode((await store.read(key))!.body));
      await store.write(key, new TextEncoder().encode(JSON.stringify({ ...record, version: '1.0.0' })), {
        contentType: 'application/json',
      });

      await expect(rollback(store, { name: MODEL, alias: 'production' })).rejects.toThrow(/edited by hand/);
    });
  });

  describe('fetchModel', () => {
    it('resolves an alias and returns a verified local copy of that version', async () => {
      await published({ version: '1.0.0', cvAuc: 0.84 });
      await promote(store, { name: MODEL, version: '1.0.0', alias: 'production' });

      const fetched = await fetchModel(`${uri}/${MODEL}@production`, cacheDir, backend.options);

      expect(fetched).toMatchObject({ name: MODEL, version: '1.0.0' });
      expect(fetched.manifest.version).toBe('1.0.0');
      const model = await readFile(join(fetched.dir, 'model.onnx'));
      expect(Buffer.from((await store.read(`${MODEL}/1.0.0/model.onnx`))!.body)).toEqual(model);
      expect(JSON.parse(await readFile(join(fetched.dir, 'manifest.json'), 'utf8')).version).toBe('1.0.0');
    });

    it('rejects a model that was changed in the registry after publishing', async () => {
      await published({ version: '1.0.0', cvAuc: 0.84 });
      await store.write(`${MODEL}/1.0.0/model.onnx`, new TextEncoder().encode('swapped by someone'), {
        contentType: 'application/octet-stream',
      });

      await expect(fetchModel(`${uri}/${MODEL}/1.0.0`, cacheDir, backend.options)).rejects.toThrow(
        /model\.onnx: sha256 \w{64} does not match the manifest's onnx\.sha256 \w{64}; refusing a tampered/,
      );
      await expect(promote(store, { name: MODEL, version: '1.0.0', alias: 'production' })).rejects.toThrow(
        /does not match the manifest's onnx\.sha256/,
      );
      await expect(readdir(join(cacheDir, MODEL))).rejects.toThrow(/ENOENT/);
    });

    // A local registry is used in place: only S3 versions go through the cache.
    it.runIf(kind === 's3://')('replaces a cached copy that no longer verifies', async () => {
      await published({ version: '1.0.0', cvAuc: 0.84 });
      const first = await fetchModel(`${uri}/${MODEL}/1.0.0`, cacheDir, backend.options);
      const original = await readFile(join(first.dir, 'model.onnx'));
      await writeFile(join(first.dir, 'model.onnx'), 'bit rot');

      const second = await fetchModel(`${uri}/${MODEL}/1.0.0`, cacheDir, backend.options);
      expect(second.dir).toBe(first.dir);
      expect(await readFile(join(second.dir, 'model.onnx'))).toEqual(original);
    });
  });

  describe('watchAlias', () => {
    async function watching(overrides: { onChange?: (move: AliasMoved) => void | Promise<void> } = {}) {
      const moves: AliasMoved[] = [];
      const errors: Error[] = [];
      const controller = new AbortController();
      const done = watchAlias(`${uri}/${MODEL}@production`, {
        ...backend.options,
        intervalMs: 10,
        currentVersion: '1.0.0',
        onChange: overrides.onChange ?? ((move) => void moves.push(move)),
        onError: (error) => void errors.push(error),
        signal: controller.signal,
      });
      const stop = async () => {
        controller.abort();
        await done;
      };
      return { moves, errors, stop };
    }

    beforeEach(async () => {
      await published({ version: '1.0.0', cvAuc: 0.84 }, { version: '1.1.0', cvAuc: 0.85 });
      await promote(store, { name: MODEL, version: '1.0.0', alias: 'production' });
    });

    it('reports each move once, with a URI that fetches the new version', async () => {
      const watch = await watching();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(watch.moves).toEqual([]);

      await promote(store, { name: MODEL, version: '1.1.0', alias: 'production' });
      await expect.poll(() => watch.moves.length, { timeout: 5_000 }).toBe(1);
      await rollback(store, { name: MODEL, alias: 'production' });
      await expect.poll(() => watch.moves.length, { timeout: 5_000 }).toBe(2);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await watch.stop();

      expect(watch.moves.map((move) => `${move.from}→${move.version}`)).toEqual([
        '1.0.0→1.1.0',
        '1.1.0→1.0.0',
      ]);
      expect(watch.errors).toEqual([]);
      const fetched = await fetchModel(watch.moves[0]!.uri, cacheDir, backend.options);
      expect(fetched.version).toBe('1.1.0');
    });

    it.runIf(kind === 's3://')(
      'polls conditionally: while the alias stays, S3 answers 304 without a body',
      async () => {
        const client = backend.options.s3Client!;
        const statuses: number[] = [];
        client.middlewareStack.add(
          (next) => async (args) => {
            const output = await next(args);
            statuses.push((output.response as { statusCode: number }).statusCode);
            return output;
          },
          { step: 'deserialize', priority: 'low', name: 'recordStatus' },
        );
        try {
          const watch = await watching();
          await expect.poll(() => statuses.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(5);
          await watch.stop();
        } finally {
          client.middlewareStack.remove('recordStatus');
        }
        expect(statuses[0]).toBe(200);
        expect(new Set(statuses.slice(1))).toEqual(new Set([304]));
      },
    );

    it('refuses a URI that names a version, which cannot move', async () => {
      const options = { intervalMs: 10, onChange: () => {}, onError: () => {} };
      await expect(watchAlias(`${uri}/${MODEL}/1.0.0`, options)).rejects.toThrow(/names a fixed version/);
    });

    it('reports a move again when taking it failed, until it succeeds', async () => {
      const attempts: string[] = [];
      const watch = await watching({
        onChange: (move) => {
          attempts.push(move.version);
          if (attempts.length === 1) throw new Error('load failed');
        },
      });
      await promote(store, { name: MODEL, version: '1.1.0', alias: 'production' });
      await expect.poll(() => attempts.length, { timeout: 5_000 }).toBe(2);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await watch.stop();

      expect(attempts).toEqual(['1.1.0', '1.1.0']);
      expect(watch.errors.map((error) => error.message)).toEqual(['load failed']);
    });
  });
});
