import { availableParallelism } from 'node:os';
import type { AlgorithmName, Task } from '@glyco/contract';
import { foldSplit, shuffledFolds, stratifiedFolds } from './cross-validation.ts';
import type { Dataset } from './dataset.ts';
import { TrainingDataError } from './errors.ts';
import { evaluate, type FoldEvaluation, primaryScore } from './evaluation.ts';
import { tunesTrees } from './gbt-tuning.ts';
import type { ClassWeight, ModelData } from './model-fitting.ts';
import { type FitJob, runFitJobs } from './parallel.ts';
import { allRows } from './preprocessing.ts';
import { seededRandom } from './random.ts';
import type { ComponentName, TrainedModel } from './trained-model.ts';

export type AlgorithmChoice = 'auto' | AlgorithmName;

/** The algorithms of a task, simplest first: `auto` prefers the earlier one when two score the same. */
export function algorithmsFor(task: Task): readonly AlgorithmName[] {
  return task === 'regression' ? ['ridge', 'gbt', 'blend'] : ['logreg', 'gbt', 'blend'];
}

/** Blend weights tried for the linear model: 1/20 … 19/20 (the trees get the rest; the ends are the models alone). */
const BLEND_STEPS = 20;

export type ProgressEvent =
  | { kind: 'fold'; algorithm: AlgorithmName; fold: number; folds: number }
  | { kind: 'round'; algorithm: AlgorithmName; round: number; maxRounds: number }
  | { kind: 'refit'; algorithm: AlgorithmName };

export type TrainingOptions = {
  algorithm: AlgorithmChoice;
  folds: number;
  seed: number;
  classWeight: ClassWeight;
  /** Worker threads for the fits (0: this thread); undefined: one per core, up to MAX_WORKERS, for large data. */
  workers?: number | undefined;
  onProgress?: ((event: ProgressEvent) => void) | undefined;
};

export type CrossValidation = {
  /** Out-of-fold outputs of every row: probabilities `[N, K]` (K = 2 for binary) or values `[N]`. */
  outputs: Float64Array;
  perFold: FoldEvaluation[];
};

export type TrainingResult = {
  model: TrainedModel;
  /** The model's outputs on every row it was trained on (the optimistic training metrics come from them). */
  outputs: Float64Array;
  crossValidation: CrossValidation;
  /** Mean CV primary metric per candidate, when `auto` chose. */
  candidates?: Record<string, number>;
};

/** Rows × features above which the fits run on worker threads. */
const PARALLEL_CELLS = 200_000;
/** Each worker holds a fold's design matrix and bins (about 150 MB at survey scale). */
const MAX_WORKERS = 4;

/**
 * Cross-validates the candidate algorithm(s) on stratified folds (plain folds for regression), adds their blend,
 * picks the best mean primary metric (`auto`; ties go to the simpler model) and refits it on every row.
 */
export async function trainModel(dataset: Dataset, options: TrainingOptions): Promise<TrainingResult> {
  const data = modelData(dataset, options.classWeight);
  const linear: ComponentName = dataset.task === 'regression' ? 'ridge' : 'logreg';
  checkAlgorithm(options.algorithm, dataset.task);
  checkFolds(dataset, options.folds);
  if (dataset.task === 'regression' && options.classWeight !== 'none') {
    throw new TrainingDataError(
      `--class-weight ${options.classWeight} applies to classifiers; "${dataset.target.name}" is a regression target`,
    );
  }
  const assignment =
    dataset.task === 'regression'
      ? shuffledFolds(dataset.rows, options.folds, seededRandom(options.seed))
      : stratifiedFolds(
          dataset.y,
          dataset.target.classLabels.length,
          options.folds,
          seededRandom(options.seed),
        );
  const splits = Array.from({ length: options.folds }, (_, fold) => foldSplit(assignment, fold));
  const single = options.algorithm !== 'auto' && options.algorithm !== 'blend';
  const components: ComponentName[] = single ? [options.algorithm as ComponentName] : [linear, 'gbt'];
  const cores = availableParallelism();
  const large = dataset.rows * dataset.features.length >= PARALLEL_CELLS;
  const workers = options.workers ?? (large && cores > 1 ? Math.min(cores, MAX_WORKERS) : 0);

  // Each component is cross-validated and refitted on every row in one batch of jobs (a refit `auto` does not
  // choose is wasted, but two workers stay busy); a refit also gives its outputs on every row, for the training
  // metrics. The trees take longest: they go first, so the workers finish together.
  const jobs: FitJob[] = [...components].reverse().flatMap((component) => [
    ...splits.map(({ train, test }, fold) => ({
      components: [component],
      rows: train,
      seed: options.seed + fold + 1,
      predict: test,
      label: { algorithm: component, fold: fold + 1 },
    })),
    {
      components: [component],
      rows: allRows(dataset.rows),
      seed: options.seed,
      predict: allRows(dataset.rows),
      keepModel: true,
      label: { algorithm: component, fold: 0 },
    },
  ]);
  const results = await runFitJobs(
    data,
    jobs,
    workers,
    ({ label: { algorithm, fold } }) =>
      options.onProgress?.(
        fold ? { kind: 'fold', algorithm, fold, folds: options.folds } : { kind: 'refit', algorithm },
      ),
    options.onProgress && roundReporter(options.onProgress),
  );
  const width = outputWidth(dataset);
  const outOfFold = new Map<AlgorithmName, Float64Array>();
  const refits = new Map<AlgorithmName, { model: TrainedModel; outputs: Float64Array }>();
  jobs.forEach((job, index) => {
    const { outputs: predicted, model } = results[index]!;
    if (model) {
      refits.set(job.label.algorithm, { model, outputs: predicted });
      return;
    }
    const outputs = outOfFold.get(job.label.algorithm) ?? new Float64Array(dataset.rows * width);
    outOfFold.set(job.label.algorithm, outputs);
    job.predict.forEach((row, position) => {
      for (let k = 0; k < width; k++) outputs[row * width + k] = predicted[position * width + k]!;
    });
  });

  const evaluated = components.map((component) => {
    const outputs = outOfFold.get(component)!;
    return {
      algorithm: component as AlgorithmName,
      outputs,
      perFold: splits.map(({ test }) => evaluate(dataset, outputs, test)),
    };
  });
  let blendStep: number | undefined;
  if (!single) {
    const blend = nestedBlend(dataset, outOfFold.get(linear)!, outOfFold.get('gbt')!, splits, width);
    blendStep = blend.step;
    evaluated.push({ algorithm: 'blend', outputs: blend.outputs, perFold: blend.perFold });
  }
  const scored = evaluated.map((candidate) => ({
    ...candidate,
    score: meanScore(dataset.task, candidate.perFold),
  }));
  const eligible = options.algorithm === 'blend' ? scored.filter((c) => c.algorithm === 'blend') : scored;
  const lowerIsBetter = dataset.task === 'regression';
  const best = eligible.reduce((winner, candidate) =>
    (lowerIsBetter ? candidate.score < winner.score : candidate.score > winner.score) ? candidate : winner,
  );

  const refit =
    best.algorithm === 'blend'
      ? blendOf(refits.get(linear)!, refits.get('gbt')!, blendStep!)
      : refits.get(best.algorithm)!;
  return {
    ...refit,
    crossValidation: { outputs: best.outputs, perFold: best.perFold },
    ...(options.algorithm === 'auto' && {
      candidates: Object.fromEntries(scored.map((candidate) => [candidate.algorithm, candidate.score])),
    }),
  };
}

/**
 * The blend of two refits, one graph: both were fitted on every row, so their preprocessing is the same (it
 * depends on the rows alone); their outputs are averaged, the linear model's weighing `step` twentieths.
 */
function blendOf(linear: Refit, trees: Refit, step: number): Refit {
  const [a, b] = [step / BLEND_STEPS, (BLEND_STEPS - step) / BLEND_STEPS];
  return {
    model: {
      ...linear.model,
      algorithm: 'blend',
      components: [
        { ...linear.model.components[0]!, weight: a },
        { ...trees.model.components[0]!, weight: b },
      ],
    },
    // As predictDesign blends: each output a·linear + b·trees.
    outputs: linear.outputs.map((value, index) => a * value + b * trees.outputs[index]!),
  };
}

type Refit = { model: TrainedModel; outputs: Float64Array };

function roundReporter(onProgress: (event: ProgressEvent) => void) {
  return (algorithm: AlgorithmName, round: number, maxRounds: number) =>
    onProgress({ kind: 'round', algorithm, round, maxRounds });
}

export function modelData(dataset: Dataset, classWeight: ClassWeight): ModelData {
  return {
    features: dataset.features,
    columns: dataset.columns,
    task: dataset.task,
    y: dataset.y,
    outputs: dataset.task === 'regression' ? 1 : dataset.target.classLabels.length,
    classWeight,
    tuneTrees: tunesTrees(dataset.rows),
  };
}

/** Columns of the model's output per row: 2 for binary (negative, positive), K for multiclass, 1 for regression. */
export function outputWidth(dataset: Pick<Dataset, 'task' | 'target'>): number {
  return dataset.task === 'regression' ? 1 : dataset.target.classLabels.length;
}

function meanScore(task: Task, perFold: readonly FoldEvaluation[]): number {
  return perFold.reduce((sum, fold) => sum + primaryScore(task, fold), 0) / perFold.length;
}

/**
 * The blend of the linear model and the trees, cross-validated honestly: each fold's weight is chosen on the
 * other folds' out-of-fold predictions (lowest log-loss, or squared error), then applied to this fold's. The
 * weight of the refitted blend is chosen on all of them.
 */
function nestedBlend(
  dataset: Dataset,
  linear: Float64Array,
  trees: Float64Array,
  splits: readonly { train: Int32Array; test: Int32Array }[],
  width: number,
): { step: number; outputs: Float64Array; perFold: FoldEvaluation[] } {
  const outputs = new Float64Array(linear.length);
  const perFold = splits.map(({ train, test }) => {
    const weight = bestBlendWeight(dataset, linear, trees, train, width) / BLEND_STEPS;
    for (const row of test) {
      for (let k = 0; k < width; k++) {
        const at = row * width + k;
        outputs[at] = weight * linear[at]! + (1 - weight) * trees[at]!;
      }
    }
    return evaluate(dataset, outputs, test);
  });
  return { step: bestBlendWeight(dataset, linear, trees, allRows(dataset.rows), width), outputs, perFold };
}

/** The linear model's weight in twentieths (1 to 19) with the lowest loss on `rows`. */
function bestBlendWeight(
  dataset: Dataset,
  linear: Float64Array,
  trees: Float64Array,
  rows: Int32Array,
  width: number,
): number {
  let best = 1;
  let bestLoss = Number.POSITIVE_INFINITY;
  for (let step = 1; step < BLEND_STEPS; step++) {
    const weight = step / BLEND_STEPS;
    let loss = 0;
    for (const row of rows) {
      if (dataset.task === 'regression') {
        loss += (dataset.y[row]! - (weight * linear[row]! + (1 - weight) * trees[row]!)) ** 2;
      } else {
        const at = row * width + dataset.y[row]!;
        loss -= Math.log(Math.max(weight * linear[at]! + (1 - weight) * trees[at]!, 1e-15));
      }
    }
    if (loss < bestLoss) {
      bestLoss = loss;
      best = step;
    }
  }
  return best;
}

function checkAlgorithm(algorithm: AlgorithmChoice, task: Task): void {
  if (algorithm === 'auto' || algorithmsFor(task).includes(algorithm)) return;
  throw new TrainingDataError(
    `--algorithm ${algorithm} does not train ${task} models; use ${[...algorithmsFor(task), 'auto'].join(', ')}`,
  );
}

function checkFolds(dataset: Dataset, folds: number): void {
  if (!Number.isInteger(folds) || folds < 2)
    throw new TrainingDataError(`--folds must be an integer ≥ 2, got ${folds}`);
  if (dataset.task === 'regression') {
    if (dataset.rows < 2 * folds) {
      throw new TrainingDataError(
        `${dataset.rows} rows are too few for ${folds}-fold cross-validation (at least ${2 * folds})`,
      );
    }
    return;
  }
  const counts = new Array<number>(dataset.target.classLabels.length).fill(0);
  for (const label of dataset.y) counts[label]!++;
  const smallest = counts.indexOf(Math.min(...counts));
  if (counts[smallest]! < folds) {
    throw new TrainingDataError(
      `class "${dataset.target.classLabels[smallest]}" has ${counts[smallest]} rows, too few for ${folds}-fold ` +
        'cross-validation (each fold needs one of each class)',
    );
  }
}
