import type { Rows } from './preprocessing.ts';
import { type Random, shuffled } from './random.ts';

/**
 * Stratified k-fold: each class is shuffled and dealt round-robin into the folds, so every fold holds the
 * class balance of the whole set. Returns the fold of each row.
 */
export function stratifiedFolds(
  labels: ArrayLike<number>,
  classes: number,
  folds: number,
  random: Random,
): Int32Array {
  const members = Array.from({ length: classes }, () => [] as number[]);
  for (let index = 0; index < labels.length; index++) members[labels[index]!]!.push(index);
  const assignment = new Int32Array(labels.length);
  let next = 0;
  for (const rows of members) {
    for (const index of shuffled(rows, random)) {
      assignment[index] = next;
      next = (next + 1) % folds;
    }
  }
  return assignment;
}

/** Plain k-fold for regression: the rows shuffled and dealt round-robin into the folds. */
export function shuffledFolds(rows: number, folds: number, random: Random): Int32Array {
  const assignment = new Int32Array(rows);
  shuffled(
    Array.from({ length: rows }, (_, index) => index),
    random,
  ).forEach((index, position) => {
    assignment[index] = position % folds;
  });
  return assignment;
}

/** Row indices split by a fold assignment, ascending: train on every fold but `fold`, test on `fold`. */
export function foldSplit(assignment: ArrayLike<number>, fold: number): { train: Rows; test: Rows } {
  let testCount = 0;
  for (let index = 0; index < assignment.length; index++) if (assignment[index] === fold) testCount++;
  const train = new Int32Array(assignment.length - testCount);
  const test = new Int32Array(testCount);
  let t = 0;
  let s = 0;
  for (let index = 0; index < assignment.length; index++) {
    if (assignment[index] === fold) test[s++] = index;
    else train[t++] = index;
  }
  return { train, test };
}
