import { describe, expect, it } from 'vitest';
import { binDesign, binOf, MIN_ROWS_PER_BIN } from '../src/binning.ts';
import {
  type BoostRun,
  boost,
  ensembleMargins,
  type Objective,
  type Tree,
  treeValue,
} from '../src/gradient-boosting.ts';
import { rocAuc } from '../src/metrics.ts';
import { allRows } from '../src/preprocessing.ts';
import { seededRandom } from '../src/random.ts';
import { designOf } from './design.ts';

const OPTIONS = { learningRate: 0.1, maxDepth: 3, maxLeaves: 8, minSamplesLeaf: 10, l2: 1, subsample: 1 };

function interactionData(n: number, seed: number) {
  const random = seededRandom(seed);
  const x = Array.from({ length: n }, () => [random(), random(), random()]);
  // Positive when both of the first two features are high: an interaction no linear model captures.
  const y = Float64Array.from(x, ([a, b]) => (a! > 0.5 && b! > 0.5 ? 1 : 0));
  return { x, y };
}

function run(x: number[][], y: Float64Array, objective: Objective, extra: Partial<BoostRun> = {}) {
  return boost({
    binned: binDesign(designOf(x)),
    y,
    fitRows: allRows(x.length),
    objective,
    options: OPTIONS,
    maxRounds: 100,
    patience: 100,
    random: seededRandom(7),
    ...extra,
  });
}

const margin = (ensemble: ReturnType<typeof run>['ensemble'], row: number[]) => {
  const out = new Float64Array(ensemble.outputs);
  ensembleMargins(ensemble, row, out);
  return out;
};

describe('binDesign', () => {
  it('cuts midway between distinct values, and a split on bins is the same split on values', () => {
    const design = designOf([[1], [1], [1], [2], [2], [2], [4], [4], [4], [9], [9], [9]]);
    const binned = binDesign(design);
    expect(Array.from(binned.thresholds[0]!)).toEqual([1.5, 3, 6.5]);
    for (let row = 0; row < 12; row++) {
      expect(binned.columnCodes[0]![row]).toBe(binOf(binned.thresholds[0]!, design.columns[0]![row]!));
    }
  });

  it("gives each row its histogram position: the column's offset plus its bin", () => {
    const design = designOf([
      [1, 10],
      [2, 20],
      [3, 30],
      [4, 40],
      [5, 50],
      [6, 60],
    ]);
    const binned = binDesign(design);
    expect(Array.from(binned.offsets)).toEqual([0, 2]);
    expect(binned.totalBins).toBe(4);
    expect(Array.from(binned.histogramBins)).toEqual([0, 2, 0, 2, 0, 2, 1, 3, 1, 3, 1, 3]);
  });

  it(`gives no bin fewer than ${MIN_ROWS_PER_BIN} rows, except the last`, () => {
    const design = designOf(Array.from({ length: 30 }, (_, i) => [i]));
    const codes = Array.from(binDesign(design).columnCodes[0]!);
    const counts = codes.reduce(
      (tally, code) => tally.set(code, (tally.get(code) ?? 0) + 1),
      new Map<number, number>(),
    );
    expect([...counts.values()].slice(0, -1).every((count) => count >= MIN_ROWS_PER_BIN)).toBe(true);
  });

  it('keeps at most maxBins bins, at about equal counts, for a column of many distinct values', () => {
    const random = seededRandom(1);
    const design = designOf(Array.from({ length: 10_000 }, () => [random()]));
    const binned = binDesign(design, 16);
    expect(binned.thresholds[0]!.length).toBe(15);
    const counts = new Array<number>(16).fill(0);
    for (const code of binned.columnCodes[0]!) counts[code]!++;
    expect(Math.min(...counts)).toBeGreaterThan(500);
  });
});

describe('boost', () => {
  it('learns an interaction of two features from rows it never saw', () => {
    const train = interactionData(600, 1);
    const test = interactionData(300, 2);
    const { ensemble } = run(train.x, train.y, { kind: 'binary' });
    expect(
      rocAuc(
        test.y,
        test.x.map((row) => margin(ensemble, row)[0]!),
      ),
    ).toBeGreaterThan(0.98);
  });

  it('learns three classes with one tree per class per round', () => {
    const random = seededRandom(3);
    const x = Array.from({ length: 900 }, () => [random(), random()]);
    const y = Float64Array.from(x, ([a, b]) => (a! < 0.33 ? 0 : b! < 0.5 ? 1 : 2));
    const { ensemble, rounds } = run(x, y, { kind: 'multiclass', classes: 3 });
    expect(ensemble.trees).toHaveLength(3 * rounds);
    const correct = x.filter((row, i) => {
      const m = margin(ensemble, row);
      return m.indexOf(Math.max(...m)) === y[i];
    }).length;
    expect(correct / x.length).toBeGreaterThan(0.97);
  });

  it('fits a regression target by squared error, starting from its mean', () => {
    const random = seededRandom(4);
    const x = Array.from({ length: 500 }, () => [random() * 4]);
    const y = Float64Array.from(x, ([a]) => Math.sin(a!) * 10 + 50);
    const { ensemble } = run(x, y, { kind: 'regression' }, { maxRounds: 200 });
    expect(ensemble.baseMargins[0]).toBeCloseTo(y.reduce((s, v) => s + v, 0) / y.length, 9);
    const errors = x.map((row, i) => Math.abs(margin(ensemble, row)[0]! - y[i]!));
    expect(Math.max(...errors)).toBeLessThan(1.5);
  });

  it('stops early on noise, keeping only the rounds that helped the validation rows', () => {
    const random = seededRandom(5);
    const x = Array.from({ length: 400 }, () => [random(), random()]);
    const y = Float64Array.from(x, () => (random() < 0.4 ? 1 : 0));
    const rounds: number[] = [];
    const result = run(
      x,
      y,
      { kind: 'binary' },
      {
        fitRows: allRows(300),
        validationRows: Int32Array.from({ length: 100 }, (_, i) => 300 + i),
        patience: 20,
        maxRounds: 500,
        onRound: (round) => rounds.push(round),
      },
    );
    expect(rounds.length).toBe(result.rounds + 20);
    expect(result.ensemble.trees).toHaveLength(result.rounds);
    expect(result.validationLoss).toBeGreaterThan(0);
  });

  it('respects the depth and leaf limits', () => {
    const { x, y } = interactionData(400, 4);
    const leaves = (tree: Tree) => tree.filter((node) => node.feature === undefined).length;
    const shallow = run(x, y, { kind: 'binary' }, { options: { ...OPTIONS, maxDepth: 2, maxLeaves: 64 } });
    expect(Math.max(...shallow.ensemble.trees.map(leaves))).toBeLessThanOrEqual(4);
    const narrow = run(x, y, { kind: 'binary' }, { options: { ...OPTIONS, maxDepth: 10, maxLeaves: 3 } });
    expect(Math.max(...narrow.ensemble.trees.map(leaves))).toBe(3);
  });

  it('grows no leaf smaller than minSamplesLeaf on the rows it was grown on', () => {
    const { x, y } = interactionData(300, 5);
    const { ensemble } = run(x, y, { kind: 'binary' }, { options: { ...OPTIONS, minSamplesLeaf: 25 } });
    for (const tree of ensemble.trees) {
      const sizes = new Map<number, number>();
      for (const row of x) {
        const value = treeValue(tree, row);
        sizes.set(value, (sizes.get(value) ?? 0) + 1);
      }
      expect(Math.min(...sizes.values())).toBeGreaterThanOrEqual(25);
    }
  });

  it('gives the same trees for the same seed and, when subsampling, different ones for another', () => {
    const { x, y } = interactionData(300, 6);
    const options = { ...OPTIONS, subsample: 0.7 };
    const first = run(x, y, { kind: 'binary' }, { options });
    expect(run(x, y, { kind: 'binary' }, { options })).toEqual(first);
    expect(run(x, y, { kind: 'binary' }, { options, random: seededRandom(8) })).not.toEqual(first);
  });

  it('stays finite when the fit rows hold one class only', () => {
    const x = [[1], [2], [3], [4], [5], [6]];
    const { ensemble } = run(x, Float64Array.from([0, 0, 0, 0, 0, 0]), { kind: 'binary' });
    expect(x.every((row) => Number.isFinite(margin(ensemble, row)[0]!))).toBe(true);
  });
});
