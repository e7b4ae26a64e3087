/**
 * L2-regularised logistic regression on standardised features, fitted by Newton's method (exact, fast and
 * deterministic at this size). The penalty l2/2·‖w‖² leaves the intercept alone.
 */
export type LogisticModel = {
  means: number[];
  /** Standard deviations used to scale (1 for constant columns). */
  scales: number[];
  weights: number[];
  intercept: number;
};

export type LogisticOptions = { l2: number; maxIterations?: number; tolerance?: number };

export function fitLogistic(
  x: readonly number[][],
  y: readonly number[],
  options: LogisticOptions,
): LogisticModel {
  const d = x[0]!.length;
  const means = Array.from({ length: d }, (_, j) => x.reduce((sum, row) => sum + row[j]!, 0) / x.length);
  const scales = means.map((mean, j) => {
    const variance = x.reduce((sum, row) => sum + (row[j]! - mean) ** 2, 0) / x.length;
    return variance > 0 ? Math.sqrt(variance) : 1;
  });
  const z = x.map((row) => row.map((value, j) => (value - means[j]!) / scales[j]!));
  // beta[0] is the intercept, beta[1..d] the weights on standardised columns.
  const beta = new Array<number>(d + 1).fill(0);
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-10;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const gradient = new Array<number>(d + 1).fill(0);
    const hessian = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    for (let i = 0; i < z.length; i++) {
      const row = z[i]!;
      const p = sigmoid(beta[0]! + dot(beta, row));
      const residual = p - y[i]!;
      const curvature = p * (1 - p);
      for (let a = 0; a <= d; a++) {
        const xa = a === 0 ? 1 : row[a - 1]!;
        gradient[a]! += residual * xa;
        for (let b = 0; b <= a; b++) hessian[a]![b]! += curvature * xa * (b === 0 ? 1 : row[b - 1]!);
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
  return { means, scales, weights: beta.slice(1), intercept: beta[0]! };
}

/** Probability of the positive class, computed in the same order as the ONNX graph. */
export function predictLogistic(model: LogisticModel, row: readonly number[]): number {
  let logit = 0;
  for (let j = 0; j < row.length; j++)
    logit += ((row[j]! - model.means[j]!) / model.scales[j]!) * model.weights[j]!;
  return sigmoid(logit + model.intercept);
}

export function sigmoid(value: number): number {
  return 1 / (1 + Math.exp(-value));
}

/** Σ beta[j+1]·row[j]. */
function dot(beta: readonly number[], row: readonly number[]): number {
  let sum = 0;
  for (let j = 0; j < row.length; j++) sum += beta[j + 1]! * row[j]!;
  return sum;
}

/** Solves H·s = g for a symmetric positive-definite H given by its lower triangle (Cholesky). */
function solveSymmetric(lower: number[][], g: readonly number[]): number[] {
  const n = g.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = lower[i]![j]!;
      for (let k = 0; k < j; k++) sum -= l[i]![k]! * l[j]![k]!;
      l[i]![j] = i === j ? Math.sqrt(Math.max(sum, 1e-12)) : sum / l[j]![j]!;
    }
  }
  const forward = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let sum = g[i]!;
    for (let k = 0; k < i; k++) sum -= l[i]![k]! * forward[k]!;
    forward[i] = sum / l[i]![i]!;
  }
  const solution = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let sum = forward[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k]![i]! * solution[k]!;
    solution[i] = sum / l[i]![i]!;
  }
  return solution;
}
