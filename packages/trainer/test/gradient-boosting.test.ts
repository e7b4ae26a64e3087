import { describe, expect, it } from 'vitest';
import { DEFAULT_GBT_OPTIONS, ensembleMargin, fitGbt, type Tree } from '../src/gradient-boosting.ts';
import { rocAuc } from '../src/metrics.ts';
import { seededRandom } from '../src/random.ts';

function interactionData(n: number, seed: number) {
  const random = seededRandom(seed);
  const x = Array.from({ length: n }, () => [random(), random(), random()]);
  // Positive when both of the first two features are high: an interaction no linear model captures.
  const y = x.map(([a, b]) => (a! > 0.5 && b! > 0.5 ? 1 : 0));
  return { x, y };
}

const leafSizes = (tree: Tree, rows: number[][]) => {
  const sizes = new Map<number, number>();
  for (const row of rows) {
    let index = 0;
    for (let node = tree[0]!; node.feature !== undefined; node = tree[index]!) {
      index = row[node.feature]! <= node.threshold ? node.left : node.right;
    }
    sizes.set(index, (sizes.get(index) ?? 0) + 1);
  }
  return [...sizes.values()];
};

describe('fitGbt', () => {
  it('learns an interaction of two features from rows it never saw', () => {
    const train = interactionData(600, 1);
    const test = interactionData(300, 2);
    const { ensemble } = fitGbt(train.x, train.y, DEFAULT_GBT_OPTIONS, 7);
    const scores = test.x.map((row) => ensembleMargin(ensemble, row));
    expect(rocAuc(test.y, scores)).toBeGreaterThan(0.98);
  });

  it('stops early on noise, keeping only the rounds that helped the validation split', () => {
    const random = seededRandom(3);
    const x = Array.from({ length: 400 }, () => [random(), random()]);
    const y = x.map(() => (random() < 0.4 ? 1 : 0));
    const rounds: number[] = [];
    const result = fitGbt(x, y, DEFAULT_GBT_OPTIONS, 3, (round) => rounds.push(round));
    expect(rounds.length).toBeLessThan(DEFAULT_GBT_OPTIONS.maxRounds);
    expect(rounds.length).toBe(result.rounds + DEFAULT_GBT_OPTIONS.patience);
    expect(result.ensemble.trees).toHaveLength(result.rounds);
  });

  it('respects the depth limit', () => {
    const { x, y } = interactionData(400, 4);
    const { ensemble } = fitGbt(x, y, { ...DEFAULT_GBT_OPTIONS, maxDepth: 2, subsample: 1 }, 4);
    for (const tree of ensemble.trees) {
      expect(tree.filter((node) => node.feature === undefined).length).toBeLessThanOrEqual(4);
    }
  });

  it('grows no leaf smaller than minSamplesLeaf on the rows it was grown on', () => {
    const { x, y } = interactionData(300, 5);
    const options = { ...DEFAULT_GBT_OPTIONS, subsample: 1, validationFraction: 0.5, minSamplesLeaf: 25 };
    const { ensemble } = fitGbt(x, y, options, 5);
    // With validationFraction 0.5 the tree saw about half the rows; each leaf holds ≥ 25 of those.
    const seen = Math.min(...ensemble.trees.flatMap((tree) => leafSizes(tree, x)));
    expect(seen).toBeGreaterThanOrEqual(25);
  });

  it('gives the same trees for the same seed and different ones for another', () => {
    const { x, y } = interactionData(300, 6);
    const first = fitGbt(x, y, DEFAULT_GBT_OPTIONS, 11);
    expect(fitGbt(x, y, DEFAULT_GBT_OPTIONS, 11)).toEqual(first);
    expect(fitGbt(x, y, DEFAULT_GBT_OPTIONS, 12)).not.toEqual(first);
  });

  it('stays finite when the inner split leaves the fit rows one class only', () => {
    // The single positive is dealt to the validation split first, so the fit rows are all negative.
    const x = [[1], [2], [3], [4], [5], [6]];
    const { ensemble } = fitGbt(x, [1, 0, 0, 0, 0, 0], DEFAULT_GBT_OPTIONS, 1);
    expect(x.every((row) => Number.isFinite(ensembleMargin(ensemble, row)))).toBe(true);
  });
});
