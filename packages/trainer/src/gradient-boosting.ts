import { stratifiedFolds } from './cross-validation.ts';
import { sigmoid } from './logistic-regression.ts';
import { type Random, seededRandom } from './random.ts';

/**
 * Gradient-boosted decision trees for binary log-loss (Newton steps, as XGBoost does): depth-limited trees,
 * shrinkage, row subsampling, and early stopping on a stratified inner validation split.
 */
export type GbtOptions = {
  maxRounds: number;
  learningRate: number;
  maxDepth: number;
  /** Fewest training rows a leaf may hold. */
  minSamplesLeaf: number;
  /** L2 penalty on leaf values. */
  l2: number;
  /** Share of rows each tree is grown on. */
  subsample: number;
  /** Stop when the validation log-loss has not improved for this many rounds. */
  patience: number;
  /** Share of the training rows held out to decide when to stop. */
  validationFraction: number;
};

export const DEFAULT_GBT_OPTIONS: GbtOptions = {
  maxRounds: 500,
  learningRate: 0.05,
  maxDepth: 3,
  minSamplesLeaf: 10,
  l2: 1,
  subsample: 0.8,
  patience: 40,
  validationFraction: 0.2,
};

/** A split sends a row to `left` when row[feature] <= threshold, else to `right` (ONNX BRANCH_LEQ). */
export type TreeNode =
  | { feature: number; threshold: number; left: number; right: number }
  | { value: number; feature?: undefined };
/** Nodes of one tree; index 0 is the root. Leaf values already include the learning rate. */
export type Tree = TreeNode[];
export type TreeEnsemble = { baseMargin: number; trees: Tree[] };

export type GbtResult = { ensemble: TreeEnsemble; rounds: number };

export function fitGbt(
  x: readonly number[][],
  y: readonly number[],
  options: GbtOptions,
  seed: number,
  onRound?: (round: number, maxRounds: number) => void,
): GbtResult {
  const random = seededRandom(seed);
  const inValidation = stratifiedFolds(y, Math.round(1 / options.validationFraction), random).map(
    (f) => f === 0,
  );
  const fit = y.flatMap((_, i) => (inValidation[i] ? [] : [i]));
  const validation = y.flatMap((_, i) => (inValidation[i] ? [i] : []));
  const positives = fit.reduce((sum, i) => sum + y[i]!, 0);
  // Log-odds of the fit rows; half a row stands in for an absent class (tiny data) so the margin stays finite.
  const baseMargin = Math.log(Math.max(positives, 0.5) / Math.max(fit.length - positives, 0.5));
  const margins = new Array<number>(y.length).fill(baseMargin);
  const sortedByFeature = x[0]!.map((_, feature) =>
    [...fit].sort((a, b) => x[a]![feature]! - x[b]![feature]! || a - b),
  );
  const trees: Tree[] = [];
  let bestLoss = logLoss(validation, y, margins);
  let bestRounds = 0;
  for (let round = 1; round <= options.maxRounds; round++) {
    const gradients = new Float64Array(y.length);
    const hessians = new Float64Array(y.length);
    for (const i of fit) {
      const p = sigmoid(margins[i]!);
      gradients[i] = p - y[i]!;
      hessians[i] = p * (1 - p);
    }
    const tree = growTree(
      x,
      sortedByFeature,
      sample(fit, options.subsample, random),
      gradients,
      hessians,
      options,
    );
    trees.push(tree);
    for (let i = 0; i < y.length; i++) margins[i]! += treeValue(tree, x[i]!);
    const loss = logLoss(validation, y, margins);
    if (loss < bestLoss - 1e-12) {
      bestLoss = loss;
      bestRounds = round;
    }
    onRound?.(round, options.maxRounds);
    if (round - bestRounds >= options.patience) break;
  }
  return { ensemble: { baseMargin, trees: trees.slice(0, bestRounds) }, rounds: bestRounds };
}

/** Margin (log-odds) of one row: the base plus every tree's leaf, summed in tree order as ONNX does. */
export function ensembleMargin(ensemble: TreeEnsemble, row: readonly number[]): number {
  let margin = 0;
  for (const tree of ensemble.trees) margin += treeValue(tree, row);
  return margin + ensemble.baseMargin;
}

export function treeValue(tree: Tree, row: readonly number[]): number {
  let node = tree[0]!;
  while (node.feature !== undefined)
    node = tree[row[node.feature]! <= node.threshold ? node.left : node.right]!;
  return node.value;
}

function sample(rows: readonly number[], fraction: number, random: Random): Set<number> {
  if (fraction >= 1) return new Set(rows);
  return new Set(rows.filter(() => random() < fraction));
}

type Split = { feature: number; threshold: number; gain: number };

function growTree(
  x: readonly number[][],
  sortedByFeature: readonly number[][],
  rows: Set<number>,
  gradients: Float64Array,
  hessians: Float64Array,
  options: GbtOptions,
): Tree {
  const tree: Tree = [];
  const grow = (members: Set<number>, depth: number): number => {
    const index = tree.length;
    let g = 0;
    let h = 0;
    for (const i of members) {
      g += gradients[i]!;
      h += hessians[i]!;
    }
    tree.push({ value: (-g / (h + options.l2)) * options.learningRate });
    const split =
      depth < options.maxDepth
        ? bestSplit(x, sortedByFeature, members, gradients, hessians, g, h, options)
        : undefined;
    if (!split) return index;
    const leftMembers = new Set<number>();
    const rightMembers = new Set<number>();
    for (const i of members) (x[i]![split.feature]! <= split.threshold ? leftMembers : rightMembers).add(i);
    const left = grow(leftMembers, depth + 1);
    const right = grow(rightMembers, depth + 1);
    tree[index] = { feature: split.feature, threshold: split.threshold, left, right };
    return index;
  };
  grow(rows, 0);
  return tree;
}

function bestSplit(
  x: readonly number[][],
  sortedByFeature: readonly number[][],
  members: Set<number>,
  gradients: Float64Array,
  hessians: Float64Array,
  g: number,
  h: number,
  options: GbtOptions,
): Split | undefined {
  const score = (gs: number, hs: number) => (gs * gs) / (hs + options.l2);
  const parent = score(g, h);
  let best: Split | undefined;
  for (let feature = 0; feature < sortedByFeature.length; feature++) {
    let gl = 0;
    let hl = 0;
    let count = 0;
    let previous: number | undefined;
    for (const i of sortedByFeature[feature]!) {
      if (!members.has(i)) continue;
      const value = x[i]![feature]!;
      if (previous !== undefined && value !== previous && count >= options.minSamplesLeaf) {
        if (members.size - count < options.minSamplesLeaf) break;
        const gain = score(gl, hl) + score(g - gl, h - hl) - parent;
        if (gain > 1e-12 && (!best || gain > best.gain))
          best = { feature, threshold: (previous + value) / 2, gain };
      }
      gl += gradients[i]!;
      hl += hessians[i]!;
      count++;
      previous = value;
    }
  }
  return best;
}

function logLoss(rows: readonly number[], y: readonly number[], margins: readonly number[]): number {
  let loss = 0;
  for (const i of rows) {
    const m = margins[i]!;
    // log(1 + e^m) − y·m, computed without overflow.
    loss += Math.max(m, 0) + Math.log1p(Math.exp(-Math.abs(m))) - y[i]! * m;
  }
  return loss / rows.length;
}
