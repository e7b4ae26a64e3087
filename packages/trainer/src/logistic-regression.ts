import { type Standardization, solveSymmetric, standardization, standardizedRows } from './linear-algebra.ts';
import type { Design } from './preprocessing.ts';

/**
 * L2-regularised logistic regression on standardised features, fitted by Newton's method (exact, fast and
 * deterministic). The penalty l2/2·‖w‖² leaves the intercepts alone. Binary: one sigmoid. Multinomial: one
 * softmax over K classes, every class with its own weights (all penalised, so no class is a reference) and
 * intercept (class 0's fixed at 0, which loses nothing: the softmax ignores a shift of every intercept).
 */
export type LogisticModel = Standardization & {
  /** Binary: one row. Multinomial: one row per class. Weights per standardised column. */
  weights: number[][];
  intercepts: number[];
};

export type LogisticOptions = {
  l2: number;
  /** A weight per row (class weights); every row counts once without. */
  rowWeights?: Float64Array | undefined;
  maxIterations?: number;
  tolerance?: number;
};

/** Binary logistic regression on labels 0/1. */
export function fitLogistic(design: Design, y: Float64Array, options: LogisticOptions): LogisticModel {
  const standard = standardization(design);
  const d = design.columns.length;
  const z = standardizedRows(design, standard);
  const rowWeights = options.rowWeights;
  // beta[0] is the intercept, beta[1..d] the weights on standardised columns.
  const beta = new Array<number>(d + 1).fill(0);
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-10;
  const xb = new Float64Array(d + 1);
  xb[0] = 1;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const gradient = new Array<number>(d + 1).fill(0);
    const hessian = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    for (let i = 0; i < design.rows; i++) {
      let logit = 0;
      for (let j = 0; j < d; j++) {
        const value = z[i * d + j]!;
        xb[j + 1] = value;
        logit += beta[j + 1]! * value;
      }
      const p = sigmoid(beta[0]! + logit);
      const weight = rowWeights ? rowWeights[i]! : 1;
      const residual = (p - y[i]!) * weight;
      const curvature = p * (1 - p) * weight;
      for (let a = 0; a <= d; a++) {
        const xa = xb[a]!;
        gradient[a]! += residual * xa;
        const row = hessian[a]!;
        for (let b = 0; b <= a; b++) row[b]! += curvature * xa * xb[b]!;
      }
    }
    for (let a = 1; a <= d; a++) {
      gradient[a]! += options.l2 * beta[a]!;
      hessian[a]![a]! += options.l2;
    }
    const step = solveSymmetric(hessian, gradient);
    let change = 0;
    for (let a = 0; a <= d; a++) {
      beta[a]! -= step[a]!;
      change = Math.max(change, Math.abs(step[a]!));
    }
    if (change < tolerance) break;
  }
  return { ...standard, weights: [beta.slice(1)], intercepts: [beta[0]!] };
}

/**
 * Multinomial logistic regression on class indices 0..K−1, by Newton steps on the penalised log-likelihood, each
 * halved until the objective decreases (the plain step can overshoot when classes are nearly separable). The
 * Hessian, the costly part, is recomputed every other step (a lazy-Hessian Newton method), and above
 * HESSIAN_ROWS rows from an evenly spaced sample of that many rows, scaled up (a sub-sampled Newton method,
 * Byrd et al. 2011): either way the step is a little less exact, never the optimum, which the gradient, computed
 * fresh from every row each step, decides.
 */
export function fitSoftmax(
  design: Design,
  y: Float64Array,
  classes: number,
  options: LogisticOptions,
): LogisticModel {
  const standard = standardization(design);
  const d = design.columns.length;
  const problem: SoftmaxProblem = {
    z: standardizedRows(design, standard),
    y,
    n: design.rows,
    d,
    width: d + 1,
    classes,
    l2: options.l2,
    rowWeights: options.rowWeights,
  };
  // theta[k * width] is class k's intercept, theta[k * width + 1 + j] its weight on column j.
  let theta: Float64Array = new Float64Array(classes * problem.width);
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-8;
  let current = softmaxObjective(problem, theta);
  let blocks: Float64Array[] = [];
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (iteration % 2 === 0) blocks = withLastClass(hessianBlocks(problem, theta), classes);
    const step = newtonStep(current.gradient, blocks, classes, problem.width, options.l2);
    const size = step.reduce((max, s) => Math.max(max, Math.abs(s)), 0);
    // A step this small is rounding noise: the objective may not decrease along it, and need not.
    if (size < tolerance) {
      theta = theta.map((t, index) => t - step[index]!);
      break;
    }
    let scale = 1;
    let next: Float64Array | undefined;
    for (; scale * size >= tolerance; scale /= 2) {
      const candidate = theta.map((t, index) => t - scale * step[index]!);
      const evaluated = softmaxObjective(problem, candidate);
      if (evaluated.value <= current.value) {
        next = candidate;
        current = evaluated;
        break;
      }
    }
    // No step down the objective longer than the tolerance: theta is the optimum to within rounding.
    if (!next) break;
    theta = next;
    if (scale * size < tolerance) break;
  }
  const width = problem.width;
  return {
    ...standard,
    weights: Array.from({ length: classes }, (_, k) =>
      Array.from(theta.subarray(k * width + 1, (k + 1) * width)),
    ),
    intercepts: Array.from({ length: classes }, (_, k) => theta[k * width]!),
  };
}

type SoftmaxProblem = {
  /** Standardised design, row-major `[n, d]`. */
  z: Float64Array;
  y: Float64Array;
  n: number;
  d: number;
  /** d + 1: an intercept and d weights per class. */
  width: number;
  classes: number;
  l2: number;
  rowWeights: Float64Array | undefined;
};

/** The penalised negative log-likelihood at theta, and its gradient. */
function softmaxObjective(
  problem: SoftmaxProblem,
  theta: Float64Array,
): { value: number; gradient: Float64Array } {
  const { z, y, n, d, width, classes, l2, rowWeights } = problem;
  const x = new Float64Array(width);
  const p = new Float64Array(classes);
  const gradient = new Float64Array(classes * width);
  let value = 0;
  x[0] = 1;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[j + 1] = z[i * d + j]!;
    softmaxInto(theta, x, classes, width, p);
    const weight = rowWeights ? rowWeights[i]! : 1;
    const label = y[i]!;
    value -= Math.log(Math.max(p[label]!, 1e-300)) * weight;
    for (let k = 0; k < classes; k++) {
      const residual = (p[k]! - (k === label ? 1 : 0)) * weight;
      const offset = k * width;
      for (let a = 0; a < width; a++) gradient[offset + a]! += residual * x[a]!;
    }
  }
  let penalty = 0;
  for (let k = 0; k < classes; k++) {
    for (let a = 1; a < width; a++) {
      const t = theta[k * width + a]!;
      penalty += t * t;
      gradient[k * width + a]! += l2 * t;
    }
  }
  return { value: value + (l2 / 2) * penalty, gradient };
}

/** Rows the softmax Hessian is computed from, at most (see fitSoftmax). */
export const HESSIAN_ROWS = 50_000;

/**
 * Hessian blocks (k, l), k ≥ l, of the classes but the last: lower triangles of Σ w·p_k(δ_kl − p_l)·x xᵀ over
 * every row, or over HESSIAN_ROWS evenly spaced ones scaled to all of them (the penalty is added in newtonStep,
 * the last class's blocks in withLastClass).
 */
function hessianBlocks(problem: SoftmaxProblem, theta: Float64Array): Float64Array[] {
  const { z, d, width, classes, rowWeights } = problem;
  const sampled = Math.min(problem.n, HESSIAN_ROWS);
  const scale = problem.n / sampled;
  const x = new Float64Array(width);
  const p = new Float64Array(classes);
  const outer = new Float64Array((width * (width + 1)) / 2);
  const blocks = Array.from({ length: ((classes - 1) * classes) / 2 }, () => new Float64Array(outer.length));
  x[0] = 1;
  for (let s = 0; s < sampled; s++) {
    const i = sampled === problem.n ? s : Math.floor((s * problem.n) / sampled);
    for (let j = 0; j < d; j++) x[j + 1] = z[i * d + j]!;
    softmaxInto(theta, x, classes, width, p);
    const weight = (rowWeights ? rowWeights[i]! : 1) * scale;
    let cell = 0;
    for (let a = 0; a < width; a++) {
      const xa = x[a]!;
      for (let b = 0; b <= a; b++) outer[cell++] = xa * x[b]!;
    }
    let block = 0;
    for (let k = 0; k < classes - 1; k++) {
      for (let l = 0; l <= k; l++) {
        const c = p[k]! * ((k === l ? 1 : 0) - p[l]!) * weight;
        const target = blocks[block++]!;
        for (let e = 0; e < outer.length; e++) target[e]! += c * outer[e]!;
      }
    }
  }
  return blocks;
}

/**
 * All Hessian blocks (k ≥ l) from those of the classes but the last. Each class's coefficients p_k(δ_kl − p_l)
 * sum to 0 over l, so block (K−1, l) = −Σ_{m<K−1} block(l, m), and block (K−1, K−1) = Σ_{l,m<K−1} block(l, m)
 * (every block is symmetric, and block(l, m) = block(m, l)). This halves the per-row work for three classes.
 */
function withLastClass(partial: Float64Array[], classes: number): Float64Array[] {
  const last = classes - 1;
  const at = (k: number, l: number) => partial[k >= l ? (k * (k + 1)) / 2 + l : (l * (l + 1)) / 2 + k]!;
  const size = partial[0]?.length ?? 0;
  const lastRow = Array.from({ length: last }, (_, l) => {
    const block = new Float64Array(size);
    for (let m = 0; m < last; m++) {
      const other = at(l, m);
      for (let e = 0; e < size; e++) block[e]! -= other[e]!;
    }
    return block;
  });
  const corner = new Float64Array(size);
  for (const block of lastRow) for (let e = 0; e < size; e++) corner[e]! -= block[e]!;
  return [...partial, ...lastRow, corner];
}

/** The Newton step, with class 0's intercept (parameter 0) held at 0. */
function newtonStep(
  gradient: Float64Array,
  blocks: Float64Array[],
  classes: number,
  width: number,
  l2: number,
): Float64Array {
  const size = classes * width;
  const free = size - 1;
  const hessian = Array.from({ length: free }, () => new Array<number>(free).fill(0));
  let block = 0;
  for (let k = 0; k < classes; k++) {
    for (let l = 0; l <= k; l++) {
      const values = blocks[block++]!;
      let cell = 0;
      for (let a = 0; a < width; a++) {
        for (let b = 0; b <= a; b++) {
          const value = values[cell++]!;
          set(hessian, k * width + a - 1, l * width + b - 1, value);
          if (k !== l && a !== b) set(hessian, k * width + b - 1, l * width + a - 1, value);
        }
      }
    }
  }
  for (let k = 0; k < classes; k++) {
    for (let a = 1; a < width; a++) hessian[k * width + a - 1]![k * width + a - 1]! += l2;
  }
  const solution = solveSymmetric(hessian, Array.from(gradient.subarray(1)));
  const step = new Float64Array(size);
  step.set(solution, 1);
  return step;
}

/** Stores a Hessian entry into the lower triangle (the free parameters start at index 1 of theta). */
function set(hessian: number[][], row: number, column: number, value: number): void {
  if (row < 0 || column < 0) return;
  if (row >= column) hessian[row]![column] = value;
  else hessian[column]![row] = value;
}

/** Class probabilities of one row `x` (x[0] = 1 for the intercept). */
function softmaxInto(
  theta: Float64Array,
  x: Float64Array,
  classes: number,
  width: number,
  out: Float64Array,
): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < classes; k++) {
    let margin = 0;
    const offset = k * width;
    for (let a = 0; a < width; a++) margin += theta[offset + a]! * x[a]!;
    out[k] = margin;
    if (margin > max) max = margin;
  }
  let total = 0;
  for (let k = 0; k < classes; k++) {
    out[k] = Math.exp(out[k]! - max);
    total += out[k]!;
  }
  for (let k = 0; k < classes; k++) out[k]! /= total;
}

/**
 * Margins of one design row, computed in the same order as the ONNX graph (standardise, multiply, sum, add the
 * intercept): one per row of `weights`.
 */
export function logisticMargins(model: LogisticModel, row: ArrayLike<number>, out: Float64Array): void {
  model.weights.forEach((weights, k) => {
    let margin = 0;
    for (let j = 0; j < row.length; j++)
      margin += ((row[j]! - model.means[j]!) / model.scales[j]!) * weights[j]!;
    out[k] = margin + model.intercepts[k]!;
  });
}

export function sigmoid(value: number): number {
  return 1 / (1 + Math.exp(-value));
}
