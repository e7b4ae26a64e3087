import type { Design } from './preprocessing.ts';

/** Column means and standard deviations of a design matrix (1 for constant columns). */
export type Standardization = { means: number[]; scales: number[] };

export function standardization(design: Design): Standardization {
  const n = design.rows;
  const means = design.columns.map((column) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += column[i]!;
    return sum / n;
  });
  const scales = design.columns.map((column, j) => {
    const mean = means[j]!;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (column[i]! - mean) ** 2;
    const variance = sum / n;
    return variance > 0 ? Math.sqrt(variance) : 1;
  });
  return { means, scales };
}

/** The standardised design, row-major `[rows, d]`: (value − mean) / scale. */
export function standardizedRows(design: Design, { means, scales }: Standardization): Float64Array {
  const d = design.columns.length;
  const z = new Float64Array(design.rows * d);
  design.columns.forEach((column, j) => {
    const mean = means[j]!;
    const scale = scales[j]!;
    for (let i = 0; i < design.rows; i++) z[i * d + j] = (column[i]! - mean) / scale;
  });
  return z;
}

/**
 * Solves H·s = g for a symmetric positive-definite H given by its lower triangle (Cholesky). Pivots are floored
 * at 1e-12 so a (numerically) singular direction gets no step rather than an infinite one.
 */
export function solveSymmetric(lower: number[][], g: readonly number[]): number[] {
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
