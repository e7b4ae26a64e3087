import { describe, expect, it } from 'vitest';
import { foldSplit, stratifiedFolds } from '../src/cross-validation.ts';
import { seededRandom } from '../src/random.ts';

describe('stratifiedFolds', () => {
  const labels = Array.from({ length: 103 }, (_, i) => (i % 3 === 0 ? 1 : 0));

  it('puts every row in exactly one fold and each class evenly into every fold', () => {
    const assignment = stratifiedFolds(labels, 5, seededRandom(42));
    const positives = [0, 1, 2, 3, 4].map(
      (fold) => foldSplit(assignment, fold).test.filter((i) => labels[i]).length,
    );
    const sizes = [0, 1, 2, 3, 4].map((fold) => foldSplit(assignment, fold).test.length);
    expect(sizes.reduce((a, b) => a + b)).toBe(labels.length);
    expect(Math.max(...positives) - Math.min(...positives)).toBeLessThanOrEqual(1);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('shuffles by seed, reproducibly', () => {
    const a = stratifiedFolds(labels, 5, seededRandom(1));
    expect(stratifiedFolds(labels, 5, seededRandom(1))).toEqual(a);
    expect(stratifiedFolds(labels, 5, seededRandom(2))).not.toEqual(a);
  });

  it('splits train and test without overlap', () => {
    const { train, test } = foldSplit([0, 1, 0, 2, 1], 1);
    expect(train).toEqual([0, 2, 3]);
    expect(test).toEqual([1, 4]);
  });
});
