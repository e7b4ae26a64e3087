import { type Random, shuffled } from './random.ts';

/**
 * Stratified k-fold: each class is shuffled and dealt round-robin into the folds, so every fold holds the
 * class balance of the whole set. Returns the fold of each row.
 */
export function stratifiedFolds(labels: readonly number[], folds: number, random: Random): number[] {
  const assignment = new Array<number>(labels.length).fill(0);
  let next = 0;
  for (const label of [0, 1]) {
    const members = labels.flatMap((value, index) => (value === label ? [index] : []));
    for (const index of shuffled(members, random)) {
      assignment[index] = next;
      next = (next + 1) % folds;
    }
  }
  return assignment;
}

/** Row indices split by a fold assignment: train on every fold but `fold`, test on `fold`. */
export function foldSplit(assignment: readonly number[], fold: number): { train: number[]; test: number[] } {
  const train: number[] = [];
  const test: number[] = [];
  assignment.forEach((value, index) => {
    (value === fold ? test : train).push(index);
  });
  return { train, test };
}
