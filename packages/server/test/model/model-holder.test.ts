import { describe, expect, it } from 'vitest';
import type { InferenceEngine, ModelOutputs } from '../../src/model/inference-engine.ts';
import { ModelHolder } from '../../src/model/model-holder.ts';
import { ServingModel } from '../../src/model/serving-model.ts';
import { MANIFEST } from '../support/fixtures.ts';

/** An engine answering every row with `label`, that records when it is released. */
function labelEngine(label: number) {
  const state = { released: false };
  const engine: InferenceEngine = {
    async run(_values, rows) {
      if (state.released) throw new Error('run on a released session');
      await new Promise((resolve) => setImmediate(resolve));
      return {
        kind: 'classes',
        labels: new Int32Array(rows).fill(label),
        probabilities: new Float32Array(rows * 2),
      };
    },
    async release() {
      state.released = true;
    },
  };
  return { engine, state };
}

const serving = (engine: InferenceEngine) =>
  new ServingModel(
    { directory: '/models/x', manifest: MANIFEST, engine },
    { maxBatchRows: 64, maxWaitMs: 0 },
  );
const row = () => ({ numeric: new Float32Array(MANIFEST.features.length), categorical: undefined });
const labelOf = (outputs: ModelOutputs) => (outputs.kind === 'classes' ? outputs.labels[0] : undefined);

describe('ModelHolder.swap', () => {
  it('serves the new model at once while a request holding the old one finishes on it', async () => {
    const old = labelEngine(0);
    const next = labelEngine(1);
    const holder = new ModelHolder(serving(old.engine));

    const inFlight = holder.acquire();
    const swapped = holder.swap(serving(next.engine));
    let swapDone = false;
    void swapped.then(() => (swapDone = true));

    const fresh = holder.acquire();
    expect(labelOf(await fresh.predict(row(), 1))).toBe(1);
    fresh.release();

    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(old.state.released).toBe(false);
    expect(swapDone).toBe(false);
    expect(labelOf(await inFlight.predict(row(), 1))).toBe(0);
    inFlight.release();

    await swapped;
    expect(old.state.released).toBe(true);
    expect(next.state.released).toBe(false);
  });

  it('releases the old model at once when nothing holds it', async () => {
    const old = labelEngine(0);
    const holder = new ModelHolder(serving(old.engine));
    await holder.swap(serving(labelEngine(1).engine));
    expect(old.state.released).toBe(true);
  });

  it('close() waits for the requests holding the model, then releases it', async () => {
    const current = labelEngine(0);
    const holder = new ModelHolder(serving(current.engine));
    const held = holder.acquire();
    const pending = held.predict(row(), 1);
    const closed = holder.close();
    await expect(pending).resolves.toBeDefined();
    held.release();
    await closed;
    expect(current.state.released).toBe(true);
  });
});
