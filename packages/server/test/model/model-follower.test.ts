import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BinaryModelManifest, type ModelManifest, parseManifest } from '@glyco/contract';
import { createLogger } from '@glyco/logger';
import { type ObjectStore, openRegistry, promote, publish, rollback } from '@glyco/registry';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InferenceEngine } from '../../src/model/inference-engine.ts';
import { followAlias, type ModelFollower, type SwapOutcome } from '../../src/model/model-follower.ts';
import { ModelHolder } from '../../src/model/model-holder.ts';
import { ModelLoadError } from '../../src/model/model-load-error.ts';
import { openRegistryModel, type RegistryModel } from '../../src/model/model-registry.ts';
import { ServingModel } from '../../src/model/serving-model.ts';
import { moveAliasByHand, temporaryDir, until, writeModelDir } from '../registry/support.ts';

/**
 * The follower against a real local registry (publish, promote, rollback, watchAlias, fetchModel with hash
 * checks); only opening a model is a stand-in, so that a test decides when and whether it succeeds.
 */

const NAME = 'pima-diabetes';

/** A model whose engine answers every row with label 0 and remembers whether it was released. */
function standInModel(manifest: ModelManifest) {
  const state = { released: false };
  const engine: InferenceEngine = {
    async run(_values, rows) {
      if (state.released) throw new Error('run on a released session');
      return { kind: 'classes', labels: new Int32Array(rows), probabilities: new Float32Array(rows * 2) };
    },
    async release() {
      state.released = true;
    },
  };
  const model = new ServingModel({ directory: '', manifest, engine }, { maxBatchRows: 64, maxWaitMs: 0 });
  return Object.assign(model, { state });
}
type StandIn = ReturnType<typeof standInModel>;

let scratch: Awaited<ReturnType<typeof temporaryDir>>;
let store: ObjectStore;
let aliasUri: string;
let follower: ModelFollower | undefined;

beforeEach(async () => {
  scratch = await temporaryDir('follower');
  const registryUri = pathToFileURL(join(scratch.dir, 'registry')).href;
  store = openRegistry(registryUri);
  aliasUri = `${registryUri}/${NAME}@production`;
  await release('1.0.0');
});
afterEach(async () => {
  await follower?.stop();
  follower = undefined;
  await scratch.remove();
});

/** Publishes a version (its CV AUC rising with each, so promote's gates pass) and points production at it. */
async function release(version: string, edit?: (manifest: BinaryModelManifest) => void, force = false) {
  const cvAuc = 0.8 + Number.parseInt(version, 10) / 100;
  await publish(store, await writeModelDir(join(scratch.dir, 'out', version), { version, cvAuc, edit }));
  await promote(store, {
    name: NAME,
    version,
    alias: 'production',
    force,
    reason: force ? 'test' : undefined,
  });
}

/** Starts following production while serving 1.0.0; `open` and `fetch` can be made to wait or fail. */
async function follow() {
  const opened = new Map<string, StandIn>();
  const fetched: string[] = [];
  const swaps: SwapOutcome[] = [];
  const lines: Record<string, unknown>[] = [];
  const metrics = { errors: 0, alias: '' };
  const control = {
    /** Awaited by every open: set it to hold a load in progress. */
    gate: Promise.resolve(),
    openFails: new Set<string>(),
    fetchFailures: 0,
  };
  const registryModel = await openRegistryModel(aliasUri, join(scratch.dir, 'cache'));
  const model: RegistryModel & { alias: string } = {
    ...registryModel,
    alias: 'production',
    async fetch(uri) {
      fetched.push(uri!.split('/').at(-1)!);
      if (control.fetchFailures-- > 0) {
        throw new Error('read ECONNRESET', {
          cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
        });
      }
      return registryModel.fetch(uri);
    },
  };
  const manifestAt = async (dir: string) =>
    parseManifest(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')));
  const first = standInModel(await manifestAt((await registryModel.fetch()).dir));
  const holder = new ModelHolder(first);
  follower = followAlias({
    model,
    holder,
    intervalMs: 10,
    async open(dir) {
      const manifest = await manifestAt(dir);
      await control.gate;
      if (control.openFails.has(manifest.version)) throw new ModelLoadError(`${dir}/model.onnx is not ONNX`);
      const next = standInModel(manifest);
      opened.set(manifest.version, next);
      return next;
    },
    logger: createLogger({
      level: 'debug',
      write: (chunk) =>
        lines.push(
          ...chunk
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line)),
        ),
    }),
    metrics: {
      modelSwap: (outcome) => void swaps.push(outcome),
      registryError: () => void metrics.errors++,
      followedAlias: (name, alias, version) => {
        metrics.alias = `${name}@${alias} → ${version}`;
      },
    },
  });
  const served = () => holder.current().manifest.version;
  const state = () => holder.alias()?.state;
  return { holder, first, opened, fetched, swaps, lines, metrics, control, served, state };
}

describe('followAlias', () => {
  it('loads the version the alias moves to while the served one answers, then swaps it in', async () => {
    const f = await follow();
    let openNow = () => {};
    f.control.gate = new Promise((resolve) => (openNow = resolve));
    const inFlight = f.holder.acquire();

    await release('2.0.0');
    await until('the new version to be loading', () => f.state() === 'loading');
    expect(f.served()).toBe('1.0.0');
    expect(f.holder.alias()).toEqual({ name: 'production', version: '2.0.0', state: 'loading' });
    const row = { numeric: new Float32Array(f.first.manifest.features.length), categorical: undefined };
    const duringLoad = f.holder.acquire();
    await expect(duringLoad.predict(row, 1)).resolves.toBeDefined();
    duringLoad.release();

    openNow();
    await until('the swap', () => f.served() === '2.0.0');
    expect(f.holder.alias()).toEqual({ name: 'production', version: '2.0.0', state: 'serving' });
    expect(f.swaps).toEqual(['applied']);
    expect(f.metrics.alias).toBe('pima-diabetes@production → 2.0.0');
    expect(f.lines.find((line) => line.msg === 'model swapped')).toMatchObject({
      alias: 'pima-diabetes@production',
      from: '1.0.0',
      to: '2.0.0',
    });
    // The request that held 1.0.0 across the swap finishes on it; only then is 1.0.0 released.
    await expect(inFlight.predict(row, 1)).resolves.toBeDefined();
    expect(f.first.state.released).toBe(false);
    inFlight.release();
    await until('1.0.0 to be released', () => f.first.state.released);
  });

  it('refuses a version that would break the API, once for good, and keeps serving', async () => {
    const f = await follow();
    let feature = '';
    const madeRequired = (manifest: BinaryModelManifest) => {
      feature = manifest.features.find((candidate) => candidate.nullable)!.name;
      manifest.features.find((candidate) => candidate.name === feature)!.nullable = false;
    };

    await release('2.0.0', madeRequired, true);
    await until('the refusal', () => f.state() === 'refused');
    expect(f.served()).toBe('1.0.0');
    expect(f.opened.has('2.0.0')).toBe(false);
    expect(f.swaps).toEqual(['refused']);
    const refusal = f.lines.find((line) => line.level === 'error');
    expect(refusal).toMatchObject({ alias: 'pima-diabetes@production', version: '2.0.0', serving: '1.0.0' });
    expect(refusal!.reason).toBe(`it would break the API: feature "${feature}" became required`);

    // Back to the served version, then forward to the refused one again: nothing is downloaded twice.
    await rollback(store, { name: NAME, alias: 'production' });
    await until('the alias back on 1.0.0', () => f.holder.alias()?.version === '1.0.0');
    expect(f.state()).toBe('serving');
    await promote(store, { name: NAME, version: '2.0.0', alias: 'production', force: true, reason: 'again' });
    await until('the refused version noticed', () => f.holder.alias()?.version === '2.0.0');
    expect(f.state()).toBe('refused');
    expect(f.fetched.filter((version) => version === '2.0.0')).toHaveLength(1);
    expect(f.swaps).toEqual(['refused']);

    // promote refuses it too (the same check): forced past it, as someone might.
    await release('3.0.0', (manifest) => void manifest.target.classLabels.reverse(), true);
    await until('the class label change refused', () => f.swaps.length === 2);
    expect(f.lines.filter((line) => line.level === 'error').at(-1)!.reason).toMatch(
      /^it would break the API: class labels changed from \["\w+","\w+"\] to/,
    );

    // Compatible with the served 1.0.0, not with the alias's refused 3.0.0: promote needs forcing back.
    await release('4.0.0', undefined, true);
    await until('a compatible version swapped in', () => f.served() === '4.0.0');
    expect(f.swaps).toEqual(['refused', 'refused', 'applied']);
  });

  it('refuses a version whose model cannot be loaded, and one whose bytes no longer match their hash', async () => {
    const f = await follow();
    f.control.openFails.add('2.0.0');
    await release('2.0.0');
    await until('the refusal', () => f.swaps.length === 1);
    expect(f.swaps).toEqual(['refused']);
    expect(f.served()).toBe('1.0.0');
    expect(f.lines.find((line) => line.level === 'error')!.reason).toMatch(/model\.onnx is not ONNX$/);

    await publish(
      store,
      await writeModelDir(join(scratch.dir, 'out', '3.0.0'), { version: '3.0.0', cvAuc: 0.9 }),
    );
    await store.write(`${NAME}/3.0.0/model.onnx`, new TextEncoder().encode('tampered'), {
      contentType: 'application/octet-stream',
    });
    await moveAliasByHand(store, NAME, 'production', '3.0.0');
    await until('the second refusal', () => f.swaps.length === 2);
    expect(f.served()).toBe('1.0.0');
    expect(f.lines.filter((line) => line.level === 'error')[1]!.reason).toMatch(
      /model\.onnx: sha256 \w{64} does not match the manifest's onnx\.sha256/,
    );
  });

  it('tries a download that could not reach the registry again at the next poll', async () => {
    const f = await follow();
    f.control.fetchFailures = 2;
    await release('2.0.0');
    await until('the swap', () => f.served() === '2.0.0');
    expect(f.fetched).toEqual(['2.0.0', '2.0.0', '2.0.0']);
    expect(f.metrics.errors).toBe(2);
    expect(f.swaps).toEqual(['applied']);
    expect(f.lines.filter((line) => line.level === 'warn').map((line) => line.error)).toEqual([
      'read ECONNRESET',
      'read ECONNRESET',
    ]);
  });

  it('stops: a version still loading is released, never swapped in', async () => {
    const f = await follow();
    let openNow = () => {};
    f.control.gate = new Promise((resolve) => (openNow = resolve));
    await release('2.0.0');
    await until('the new version to be loading', () => f.state() === 'loading');

    const stopped = follower!.stop();
    follower = undefined;
    openNow();
    await stopped;
    expect(f.served()).toBe('1.0.0');
    expect(f.opened.get('2.0.0')?.state.released).toBe(true);
    await release('3.0.0');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(f.fetched).toEqual(['2.0.0']);
  });
});
