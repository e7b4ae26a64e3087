import { describe, expect, it } from 'vitest';
import { foldSplit, shuffledFolds, stratifiedFolds } from '../src/cross-validation.ts';
import { seededRandom } from '../src/random.ts';

describe('stratifiedFolds', () => {
  // Three classes: 0 most, 2 rare.
  const labels = Array.from({ length: 103 }, (_, i) => (i % 10 === 0 ? 2 : i % 3 === 0 ? 1 : 0));

  it('puts every row in exactly one fold and each class evenly into every fold', () => {
    const assignment = stratifiedFolds(labels, 3, 5, seededRandom(42));
    const folds = [0, 1, 2, 3, 4].map((fold) => Array.from(foldSplit(assignment, fold).test));
    expect(folds.flat().sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
    for (const label of [0, 1, 2]) {
      const counts = folds.map((rows) => rows.filter((i) => labels[i] === label).length);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    }
    const sizes = folds.map((rows) => rows.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('shuffles by seed, reproducibly', () => {
    const a = stratifiedFolds(labels, 3, 5, seededRandom(1));
    expect(stratifiedFolds(labels, 3, 5, seededRandom(1))).toEqual(a);
    expect(stratifiedFolds(labels, 3, 5, seededRandom(2))).not.toEqual(a);
  });

  it('splits train and test without overlap, each ascending', () => {
    const { train, test } = foldSplit([0, 1, 0, 2, 1], 1);
    expect(Array.from(train)).toEqual([0, 2, 3]);
    expect(Array.from(test)).toEqual([1, 4]);
  });
});

describe('shuffledFolds', () => {
  it('deals shuffled rows into folds of equal size (regression: no classes to balance)', () => {
    const assignment = shuffledFolds(23, 5, seededRandom(3));
    const sizes = [0, 1, 2, 3, 4].map((fold) => foldSplit(assignment, fold).test.length);
    expect(sizes.sort()).toEqual([4, 4, 5, 5, 5]);
    expect(Array.from(assignment)).not.toEqual(Array.from({ length: 23 }, (_, i) => i % 5));
  });
});
