import { type BinnedDesign, binDesign } from './binning.ts';
import { foldSplit, shuffledFolds, stratifiedFolds } from './cross-validation.ts';
import {
  type BoostRun,
  boost,
  type GbtOptions,
  type Objective,
  outputsOf,
  type TreeEnsemble,
} from './gradient-boosting.ts';
import type { Design } from './preprocessing.ts';
import type { Random } from './random.ts';

/**
 * How the trees are sized, decided once per training run (so the cross-validated fits and the refit are the same
 * procedure). For data of up to TUNING_MAX_ROWS rows, by inner cross-validation in each fit: every setting of
 * TUNING_GRID is boosted on INNER_FOLDS inner folds with early stopping on the held-out inner fold; the setting
 * with the lowest mean held-out loss wins, and the final trees are boosted on every row for the mean of its best
 * round counts. For more rows (where a setting matters less and a search costs more: minutes at 10,000 rows of
 * three classes), scikit-learn's HistGradientBoosting defaults: 31 leaves, learning rate 0.1, early stopping on a
 * tenth of the rows.
 */
export const TUNING_MAX_ROWS = 2_000;

export function tunesTrees(rows: number): boolean {
  return rows <= TUNING_MAX_ROWS;
}
export const INNER_FOLDS = 3;
const SMALL_DATA = { maxRounds: 200, patience: 30, l2: 1, subsample: 0.8 };
export const TUNING_GRID: readonly Pick<GbtOptions, 'maxDepth' | 'minSamplesLeaf' | 'learningRate'>[] = [
  2, 3, 4,
].flatMap((maxDepth) =>
  [5, 20].flatMap((minSamplesLeaf) =>
    [0.05, 0.1].map((learningRate) => ({ maxDepth, minSamplesLeaf, learningRate })),
  ),
);
export const LARGE_DATA_OPTIONS: GbtOptions = {
  learningRate: 0.1,
  maxDepth: 12,
  maxLeaves: 31,
  minSamplesLeaf: 20,
  l2: 0,
  subsample: 1,
};
const LARGE_DATA = { maxRounds: 200, patience: 10, validationFraction: 0.1 };

export type GbtFit = { ensemble: TreeEnsemble; hyperparameters: Record<string, number | string> };

export type GbtRun = {
  design: Design;
  y: Float64Array;
  weights?: Float64Array | undefined;
  objective: Objective;
  random: Random;
  /** Tune by inner cross-validation (see tunesTrees), or stop early with fixed settings. */
  tune: boolean;
  onRound?: ((round: number, maxRounds: number) => void) | undefined;
};

export function fitGbt(run: GbtRun): GbtFit {
  return run.tune ? tunedGbt(run) : earlyStoppedGbt(run);
}

function innerFolds(run: GbtRun, folds: number): Int32Array {
  const { objective, y, design, random } = run;
  return objective.kind === 'regression'
    ? shuffledFolds(design.rows, folds, random)
    : stratifiedFolds(y, Math.max(outputsOf(objective), 2), folds, random);
}

/** Boosts on the run's data, target, weights, objective and random stream. */
function boostRun(
  run: GbtRun,
  binned: BinnedDesign,
  boosting: Pick<BoostRun, 'fitRows' | 'validationRows' | 'options' | 'maxRounds' | 'patience' | 'onRound'>,
) {
  return boost({
    binned,
    y: run.y,
    weights: run.weights,
    objective: run.objective,
    random: run.random,
    ...boosting,
  });
}

function tunedGbt(run: GbtRun): GbtFit {
  const binned = binDesign(run.design);
  const assignment = innerFolds(run, INNER_FOLDS);
  const splits = Array.from({ length: INNER_FOLDS }, (_, fold) => foldSplit(assignment, fold));
  let best: { setting: GbtOptions; loss: number; rounds: number } | undefined;
  for (const setting of TUNING_GRID) {
    const options: GbtOptions = {
      ...setting,
      maxLeaves: 2 ** setting.maxDepth,
      l2: SMALL_DATA.l2,
      subsample: SMALL_DATA.subsample,
    };
    let loss = 0;
    let rounds = 0;
    for (const { train, test } of splits) {
      const result = boostRun(run, binned, {
        fitRows: train,
        validationRows: test,
        options,
        maxRounds: SMALL_DATA.maxRounds,
        patience: SMALL_DATA.patience,
      });
      loss += result.validationLoss / INNER_FOLDS;
      rounds += result.rounds / INNER_FOLDS;
    }
    if (!best || loss < best.loss - 1e-12)
      best = { setting: options, loss, rounds: Math.max(1, Math.round(rounds)) };
  }
  const { setting, rounds } = best!;
  const fitRows = Int32Array.from({ length: run.design.rows }, (_, i) => i);
  const { ensemble } = boostRun(run, binned, {
    fitRows,
    options: setting,
    maxRounds: rounds,
    patience: rounds,
    onRound: run.onRound && ((round) => run.onRound!(round, rounds)),
  });
  return { ensemble, hyperparameters: { ...setting, rounds, tuning: `inner ${INNER_FOLDS}-fold CV` } };
}

function earlyStoppedGbt(run: GbtRun): GbtFit {
  const binned = binDesign(run.design);
  const assignment = innerFolds(run, Math.round(1 / LARGE_DATA.validationFraction));
  const { train, test } = foldSplit(assignment, 0);
  const result = boostRun(run, binned, {
    fitRows: train,
    validationRows: test,
    options: LARGE_DATA_OPTIONS,
    maxRounds: LARGE_DATA.maxRounds,
    patience: LARGE_DATA.patience,
    onRound: run.onRound && ((round) => run.onRound!(round, LARGE_DATA.maxRounds)),
  });
  return {
    ensemble: result.ensemble,
    hyperparameters: {
      ...LARGE_DATA_OPTIONS,
      rounds: result.rounds,
      tuning: `early stopping on ${LARGE_DATA.validationFraction * 100}% of the rows`,
    },
  };
}
