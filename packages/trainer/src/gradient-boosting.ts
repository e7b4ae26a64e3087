import type { BinnedDesign } from './binning.ts';
import { sigmoid } from './logistic-regression.ts';
import type { Rows } from './preprocessing.ts';
import type { Random } from './random.ts';

/**
 * Histogram-based gradient-boosted trees (Newton steps, as XGBoost, LightGBM and scikit-learn's
 * HistGradientBoosting do). Losses: log-loss for binary, softmax cross-entropy with one tree per class per round
 * for multiclass, squared error for regression. Trees grow best-first up to `maxLeaves` leaves and `maxDepth`
 * levels on histograms of binned columns; a child's histogram is its parent's minus its sibling's.
 */
export type GbtOptions = {
  learningRate: number;
  maxDepth: number;
  maxLeaves: number;
  /** Fewest training rows a leaf may hold. */
  minSamplesLeaf: number;
  /** L2 penalty on leaf values. */
  l2: number;
  /** Share of rows each tree is grown on. */
  subsample: number;
};

/** What is predicted: the loss and the number of margins per row. */
export type Objective = { kind: 'binary' } | { kind: 'multiclass'; classes: number } | { kind: 'regression' };

export function outputsOf(objective: Objective): number {
  return objective.kind === 'multiclass' ? objective.classes : 1;
}

/** A split sends a row to `left` when row[feature] <= threshold, else to `right` (ONNX BRANCH_LEQ). */
export type TreeNode =
  | { feature: number; threshold: number; left: number; right: number }
  | { value: number; feature?: undefined };
/** Nodes of one tree; index 0 is the root. Leaf values already include the learning rate. */
export type Tree = TreeNode[];
/**
 * Trees in round order; with K outputs (classes), tree t adds to margin t mod K. A row's margins are the base
 * margins plus its leaf values, summed in tree order as ONNX's TreeEnsembleRegressor does.
 */
export type TreeEnsemble = { outputs: number; baseMargins: number[]; trees: Tree[] };

/** Smallest hessian sum a child may have (as scikit-learn's min_hessian_to_split). */
const MIN_HESSIAN = 1e-3;

export type BoostResult = {
  ensemble: TreeEnsemble;
  /** Rounds kept: those up to the best validation loss, or all of them without validation rows. */
  rounds: number;
  /** The validation loss after `rounds` rounds (NaN without validation rows). */
  validationLoss: number;
};

export type BoostRun = {
  binned: BinnedDesign;
  /** The target of every binned row: class index or value. */
  y: Float64Array;
  /** Per row of the design; undefined: every row weighs 1. */
  weights?: Float64Array | undefined;
  fitRows: Rows;
  /** Rows to stop on: boosting stops once their loss has not improved for `patience` rounds. */
  validationRows?: Rows | undefined;
  objective: Objective;
  options: GbtOptions;
  maxRounds: number;
  patience: number;
  random: Random;
  onRound?: ((round: number) => void) | undefined;
};

/** Boosts up to `maxRounds` rounds on `fitRows`, early-stopping on `validationRows` when given. */
export function boost(run: BoostRun): BoostResult {
  const { binned, y, fitRows, validationRows, objective, options } = run;
  const outputs = outputsOf(objective);
  const baseMargins = initialMargins(objective, y, fitRows, run.weights);
  const margins = new Float64Array(binned.rows * outputs);
  for (let i = 0; i < binned.rows; i++) margins.set(baseMargins, i * outputs);
  const gradients = new Float64Array(binned.rows);
  const hessians = new Float64Array(binned.rows);
  const probabilities = objective.kind === 'multiclass' ? new Float64Array(binned.rows * outputs) : undefined;
  const grower = new TreeGrower(binned, options);
  const trees: Tree[] = [];
  let bestLoss = validationRows ? loss(objective, y, margins, validationRows) : Number.NaN;
  let bestRounds = 0;
  for (let round = 1; round <= run.maxRounds; round++) {
    const sample = subsample(fitRows, options.subsample, run.random);
    if (probabilities) softmaxRows(margins, outputs, sample, probabilities);
    const unsampled = rowsOutside(sample, fitRows, validationRows, binned.rows);
    // Every class's tree of a round is fitted to the gradients before the round (as scikit-learn does): the
    // probabilities are fixed above, so adding a tree's leaves to its class's margins at once changes nothing.
    for (let output = 0; output < outputs; output++) {
      computeGradients(
        objective,
        y,
        margins,
        probabilities,
        output,
        outputs,
        sample,
        run.weights,
        gradients,
        hessians,
      );
      const { tree, splitBins } = grower.grow(sample, gradients, hessians);
      trees.push(tree);
      grower.addLeavesToMargins(tree, margins, output, outputs);
      addTree(binned, tree, splitBins, unsampled, margins, output, outputs);
    }
    run.onRound?.(round);
    if (!validationRows) {
      bestRounds = round;
      continue;
    }
    const current = loss(objective, y, margins, validationRows);
    if (current < bestLoss - 1e-12) {
      bestLoss = current;
      bestRounds = round;
    }
    if (round - bestRounds >= run.patience) break;
  }
  return {
    ensemble: { outputs, baseMargins, trees: trees.slice(0, bestRounds * outputs) },
    rounds: bestRounds,
    validationLoss: bestLoss,
  };
}

/** Starting margins: the log-odds (binary) or log class shares (multiclass) of the fit rows, or their mean. */
function initialMargins(objective: Objective, y: Float64Array, rows: Rows, weights?: Float64Array): number[] {
  const outputs = outputsOf(objective);
  const totals = new Float64Array(Math.max(outputs, 2));
  let sum = 0;
  let count = 0;
  for (const row of rows) {
    const weight = weights ? weights[row]! : 1;
    count += weight;
    if (objective.kind === 'regression') sum += y[row]! * weight;
    else totals[y[row]!]! += weight;
  }
  if (objective.kind === 'regression') return [sum / count];
  // Half a row stands in for an absent class (tiny data) so the margins stay finite.
  if (objective.kind === 'binary') return [Math.log(Math.max(totals[1]!, 0.5) / Math.max(totals[0]!, 0.5))];
  return Array.from(totals, (total) => Math.log(Math.max(total, 0.5) / count));
}

/** The rows that need margins (fit and validation rows) but were not grown on this round. */
function rowsOutside(sample: Rows, fitRows: Rows, validationRows: Rows | undefined, rows: number): Rows {
  const validation = validationRows ?? new Int32Array(0);
  if (sample.length === fitRows.length) return validation;
  const grown = new Uint8Array(rows);
  for (const row of sample) grown[row] = 1;
  const outside = new Int32Array(fitRows.length - sample.length + validation.length);
  let count = 0;
  for (const row of fitRows) if (!grown[row]) outside[count++] = row;
  outside.set(validation, count);
  return outside;
}

function subsample(rows: Rows, fraction: number, random: Random): Rows {
  if (fraction >= 1) return rows;
  const kept = new Int32Array(rows.length);
  let count = 0;
  for (const row of rows) if (random() < fraction) kept[count++] = row;
  return kept.subarray(0, count);
}

function softmaxRows(margins: Float64Array, outputs: number, rows: Rows, out: Float64Array): void {
  for (const row of rows) {
    const offset = row * outputs;
    let max = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < outputs; k++) max = Math.max(max, margins[offset + k]!);
    let total = 0;
    for (let k = 0; k < outputs; k++) {
      const e = Math.exp(margins[offset + k]! - max);
      out[offset + k] = e;
      total += e;
    }
    for (let k = 0; k < outputs; k++) out[offset + k]! /= total;
  }
}

function computeGradients(
  objective: Objective,
  y: Float64Array,
  margins: Float64Array,
  probabilities: Float64Array | undefined,
  output: number,
  outputs: number,
  rows: Rows,
  weights: Float64Array | undefined,
  gradients: Float64Array,
  hessians: Float64Array,
): void {
  for (const row of rows) {
    const weight = weights ? weights[row]! : 1;
    let g: number;
    let h: number;
    if (objective.kind === 'regression') {
      g = margins[row]! - y[row]!;
      h = 1;
    } else if (objective.kind === 'binary') {
      const p = sigmoid(margins[row]!);
      g = p - y[row]!;
      h = p * (1 - p);
    } else {
      const p = probabilities![row * outputs + output]!;
      g = p - (y[row] === output ? 1 : 0);
      h = p * (1 - p);
    }
    gradients[row] = g * weight;
    hessians[row] = Math.max(h, 1e-16) * weight;
  }
}

/** Mean loss over `rows`: log-loss, cross-entropy or squared error. */
function loss(objective: Objective, y: Float64Array, margins: Float64Array, rows: Rows): number {
  let total = 0;
  for (const row of rows) {
    if (objective.kind === 'regression') {
      total += (y[row]! - margins[row]!) ** 2;
    } else if (objective.kind === 'binary') {
      const m = margins[row]!;
      // log(1 + e^m) − y·m, computed without overflow.
      total += Math.max(m, 0) + Math.log1p(Math.exp(-Math.abs(m))) - y[row]! * m;
    } else {
      const k = objective.classes;
      const offset = row * k;
      let max = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < k; c++) max = Math.max(max, margins[offset + c]!);
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(margins[offset + c]! - max);
      total += max + Math.log(sum) - margins[offset + y[row]!]!;
    }
  }
  return total / rows.length;
}

/** Adds a tree's leaf values to the margins of `rows`, walking the tree on bin codes. */
function addTree(
  binned: BinnedDesign,
  tree: Tree,
  splitBins: Int32Array,
  rows: Rows,
  margins: Float64Array,
  output: number,
  outputs: number,
): void {
  const { columnCodes } = binned;
  for (const row of rows) {
    let index = 0;
    let node = tree[0]!;
    while (node.feature !== undefined) {
      index = columnCodes[node.feature]![row]! <= splitBins[index]! ? node.left : node.right;
      node = tree[index]!;
    }
    margins[row * outputs + output]! += node.value;
  }
}

/** Margins of one design row: base plus every tree's leaf, summed in tree order as ONNX does. */
export function ensembleMargins(ensemble: TreeEnsemble, row: ArrayLike<number>, out: Float64Array): void {
  const { outputs, trees } = ensemble;
  out.fill(0, 0, outputs);
  for (let t = 0; t < trees.length; t++) out[t % outputs]! += treeValue(trees[t]!, row);
  for (let k = 0; k < outputs; k++) out[k]! += ensemble.baseMargins[k]!;
}

export function treeValue(tree: Tree, row: ArrayLike<number>): number {
  let node = tree[0]!;
  while (node.feature !== undefined)
    node = tree[row[node.feature]! <= node.threshold ? node.left : node.right]!;
  return node.value;
}

type GrownTree = { tree: Tree; splitBins: Int32Array };
type LeafRange = { node: number; start: number; end: number };
type Split = { feature: number; bin: number; gain: number };
type OpenLeaf = {
  /** Index of this leaf in the tree. */
  node: number;
  start: number;
  end: number;
  depth: number;
  g: number;
  h: number;
  /** Per bin of every column: gradient sum, hessian sum, row count. */
  histogram: Float64Array;
  split: Split | undefined;
};

/** Grows one tree at a time over a binned design; reuses its buffers from tree to tree. */
class TreeGrower {
  readonly #binned: BinnedDesign;
  readonly #options: GbtOptions;
  readonly #order: Int32Array;
  readonly #scratch: Int32Array;
  readonly #binCounts: Int32Array;
  /** Histograms of finished trees, for the next tree to reuse (cleared) rather than allocate. */
  readonly #spare: Float64Array[] = [];
  /** The last tree's leaves: which rows of `#order` each holds. */
  #leaves: LeafRange[] = [];

  constructor(binned: BinnedDesign, options: GbtOptions) {
    this.#binned = binned;
    this.#options = options;
    this.#order = new Int32Array(binned.rows);
    this.#scratch = new Int32Array(binned.rows);
    this.#binCounts = Int32Array.from(binned.thresholds, (edges) => edges.length + 1);
  }

  /** A tree on `rows`, and the bin each of its splits cuts at (-1 for leaves). */
  grow(rows: Rows, gradients: Float64Array, hessians: Float64Array): GrownTree {
    const { learningRate, l2, maxLeaves } = this.#options;
    this.#order.set(rows);
    const tree: Tree = [];
    const splitBins: number[] = [];
    const root = this.#leaf(tree, splitBins, 0, rows.length, 0, gradients, hessians);
    const open: OpenLeaf[] = [root];
    let leaves = 1;
    while (leaves < maxLeaves) {
      let best: OpenLeaf | undefined;
      for (const leaf of open) if (leaf.split && (!best || leaf.split.gain > best.split!.gain)) best = leaf;
      if (!best) break;
      open.splice(open.indexOf(best), 1);
      const children = this.#split(tree, splitBins, best, gradients, hessians);
      open.push(...children);
      leaves++;
    }
    for (const leaf of open) {
      tree[leaf.node] = { value: (-leaf.g / (leaf.h + l2)) * learningRate };
      this.#spare.push(leaf.histogram);
    }
    this.#leaves = open.map(({ node, start, end }) => ({ node, start, end }));
    return { tree, splitBins: Int32Array.from(splitBins) };
  }

  /** Adds the last tree's leaf values to the margins of the rows it was grown on (no walk: the rows are sorted). */
  addLeavesToMargins(tree: Tree, margins: Float64Array, output: number, outputs: number): void {
    const order = this.#order;
    for (const { node, start, end } of this.#leaves) {
      const value = (tree[node] as { value: number }).value;
      for (let r = start; r < end; r++) margins[order[r]! * outputs + output]! += value;
    }
  }

  #leaf(
    tree: Tree,
    splitBins: number[],
    start: number,
    end: number,
    depth: number,
    gradients: Float64Array,
    hessians: Float64Array,
    histogram?: Float64Array,
  ): OpenLeaf {
    const node = tree.length;
    tree.push({ value: 0 });
    splitBins.push(-1);
    const hist = histogram ?? this.#histogram(start, end, gradients, hessians);
    let g = 0;
    let h = 0;
    const bins = this.#binCounts[0]!;
    for (let b = 0; b < bins; b++) {
      g += hist[b * 3]!;
      h += hist[b * 3 + 1]!;
    }
    const leaf: OpenLeaf = { node, start, end, depth, g, h, histogram: hist, split: undefined };
    leaf.split = this.#bestSplit(leaf);
    return leaf;
  }

  #histogram(start: number, end: number, gradients: Float64Array, hessians: Float64Array): Float64Array {
    const { histogramBins, columns, totalBins } = this.#binned;
    const hist = this.#spare.pop()?.fill(0) ?? new Float64Array(totalBins * 3);
    const order = this.#order;
    for (let r = start; r < end; r++) {
      const row = order[r]!;
      const g = gradients[row]!;
      const h = hessians[row]!;
      const base = row * columns;
      for (let j = 0; j < columns; j++) {
        const k = histogramBins[base + j]! * 3;
        hist[k]! += g;
        hist[k + 1]! += h;
        hist[k + 2]! += 1;
      }
    }
    return hist;
  }

  #bestSplit(leaf: OpenLeaf): Split | undefined {
    const { maxDepth, minSamplesLeaf, l2 } = this.#options;
    const count = leaf.end - leaf.start;
    if (leaf.depth >= maxDepth || count < 2 * minSamplesLeaf) return undefined;
    const { offsets } = this.#binned;
    const hist = leaf.histogram;
    const parent = (leaf.g * leaf.g) / (leaf.h + l2);
    let best: Split | undefined;
    for (let feature = 0; feature < offsets.length; feature++) {
      const base = offsets[feature]!;
      const bins = this.#binCounts[feature]!;
      let gl = 0;
      let hl = 0;
      let cl = 0;
      for (let bin = 0; bin < bins - 1; bin++) {
        const k = (base + bin) * 3;
        gl += hist[k]!;
        hl += hist[k + 1]!;
        cl += hist[k + 2]!;
        if (cl < minSamplesLeaf) continue;
        if (count - cl < minSamplesLeaf) break;
        const hr = leaf.h - hl;
        if (hl < MIN_HESSIAN || hr < MIN_HESSIAN) continue;
        const gr = leaf.g - gl;
        const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parent;
        if (gain > 1e-12 && (!best || gain > best.gain)) best = { feature, bin, gain };
      }
    }
    return best;
  }

  /** Splits a leaf: partitions its rows, builds the smaller child's histogram, subtracts for the larger one. */
  #split(
    tree: Tree,
    splitBins: number[],
    leaf: OpenLeaf,
    gradients: Float64Array,
    hessians: Float64Array,
  ): [OpenLeaf, OpenLeaf] {
    const { feature, bin } = leaf.split!;
    const { thresholds } = this.#binned;
    const codes = this.#binned.columnCodes[feature]!;
    const order = this.#order;
    const scratch = this.#scratch;
    let left = leaf.start;
    let right = 0;
    for (let r = leaf.start; r < leaf.end; r++) {
      const row = order[r]!;
      if (codes[row]! <= bin) order[left++] = row;
      else scratch[right++] = row;
    }
    order.set(scratch.subarray(0, right), left);
    const leftSmaller = left - leaf.start <= leaf.end - left;
    const small = leftSmaller
      ? this.#histogram(leaf.start, left, gradients, hessians)
      : this.#histogram(left, leaf.end, gradients, hessians);
    const large = leaf.histogram;
    for (let k = 0; k < large.length; k++) large[k]! -= small[k]!;
    const [leftHist, rightHist] = leftSmaller ? [small, large] : [large, small];
    const leftLeaf = this.#leaf(
      tree,
      splitBins,
      leaf.start,
      left,
      leaf.depth + 1,
      gradients,
      hessians,
      leftHist,
    );
    const rightLeaf = this.#leaf(
      tree,
      splitBins,
      left,
      leaf.end,
      leaf.depth + 1,
      gradients,
      hessians,
      rightHist,
    );
    tree[leaf.node] = {
      feature,
      threshold: thresholds[feature]![bin]!,
      left: leftLeaf.node,
      right: rightLeaf.node,
    };
    splitBins[leaf.node] = bin;
    return [leftLeaf, rightLeaf];
  }
}
