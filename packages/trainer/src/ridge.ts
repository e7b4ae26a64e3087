import { type Standardization, solveSymmetric, standardization, standardizedRows } from './linear-algebra.ts';
import type { Design } from './preprocessing.ts';
import { type Random, shuffled } from './random.ts';

/**
 * Ridge regression on standardised features: minimises ‖y − ȳ − Zβ‖² + α‖β‖² (the intercept unpenalised), with α
 * chosen by inner k-fold cross-validation from RIDGE_ALPHAS. Each inner fold's fit comes from summed Gram
 * matrices (ZᵀZ, Zᵀy per fold), so the whole search costs one pass over the rows plus tiny solves.
 */
export type RidgeModel = Standardization & { weights: number[]; intercept: number; alpha: number };

/** Penalties tried, on standardised columns (ZᵀZ has n on its diagonal): 10^-3 … 10^4 in half decades. */
export const RIDGE_ALPHAS = Array.from({ length: 15 }, (_, k) => 10 ** (k / 2 - 3));
export const RIDGE_INNER_FOLDS = 5;

type Moments = { n: number; sumY: number; sumZ: Float64Array; gram: Float64Array; zy: Float64Array };

export function fitRidge(design: Design, y: Float64Array, random: Random): RidgeModel {
  const standard = standardization(design);
  const d = design.columns.length;
  const z = standardizedRows(design, standard);
  const folds = Math.min(RIDGE_INNER_FOLDS, design.rows);
  const assignment = new Int32Array(design.rows);
  shuffled(
    Array.from({ length: design.rows }, (_, i) => i),
    random,
  ).forEach((row, position) => {
    assignment[row] = position % folds;
  });
  const perFold = Array.from({ length: folds }, () => emptyMoments(d));
  for (let i = 0; i < design.rows; i++) addRow(perFold[assignment[i]!]!, z, y, i, d);
  const total = emptyMoments(d);
  for (const moments of perFold) addMoments(total, moments);

  let alpha = RIDGE_ALPHAS[0]!;
  let bestError = Number.POSITIVE_INFINITY;
  for (const candidate of RIDGE_ALPHAS) {
    let error = 0;
    for (let fold = 0; fold < folds; fold++) {
      const training = emptyMoments(d);
      addMoments(training, total);
      subtractMoments(training, perFold[fold]!);
      const { beta, intercept } = solve(training, candidate, d);
      for (let i = 0; i < design.rows; i++) {
        if (assignment[i] !== fold) continue;
        let prediction = intercept;
        for (let j = 0; j < d; j++) prediction += z[i * d + j]! * beta[j]!;
        error += (y[i]! - prediction) ** 2;
      }
    }
    if (error < bestError) {
      bestError = error;
      alpha = candidate;
    }
  }
  const { beta, intercept } = solve(total, alpha, d);
  return { ...standard, weights: beta, intercept, alpha };
}

/** Centred normal equations from moments: (ZcᵀZc + αI)β = Zcᵀ(y − ȳ), intercept ȳ − z̄ᵀβ. */
function solve(moments: Moments, alpha: number, d: number): { beta: number[]; intercept: number } {
  const { n, sumY, sumZ, gram, zy } = moments;
  const meanY = sumY / n;
  const lower = Array.from({ length: d }, (_, a) =>
    Array.from({ length: d }, (_, b) => (b <= a ? gram[a * d + b]! - (sumZ[a]! * sumZ[b]!) / n : 0)),
  );
  for (let a = 0; a < d; a++) lower[a]![a]! += alpha;
  const right = Array.from({ length: d }, (_, a) => zy[a]! - sumZ[a]! * meanY);
  const beta = solveSymmetric(lower, right);
  let intercept = meanY;
  for (let a = 0; a < d; a++) intercept -= (sumZ[a]! / n) * beta[a]!;
  return { beta, intercept };
}

function emptyMoments(d: number): Moments {
  return { n: 0, sumY: 0, sumZ: new Float64Array(d), gram: new Float64Array(d * d), zy: new Float64Array(d) };
}

function addRow(moments: Moments, z: Float64Array, y: Float64Array, i: number, d: number): void {
  moments.n++;
  moments.sumY += y[i]!;
  for (let a = 0; a < d; a++) {
    const za = z[i * d + a]!;
    moments.sumZ[a]! += za;
    moments.zy[a]! += za * y[i]!;
    for (let b = 0; b <= a; b++) moments.gram[a * d + b]! += za * z[i * d + b]!;
  }
}

function addMoments(into: Moments, other: Moments): void {
  into.n += other.n;
  into.sumY += other.sumY;
  for (let a = 0; a < other.sumZ.length; a++) into.sumZ[a]! += other.sumZ[a]!;
  for (let a = 0; a < other.zy.length; a++) into.zy[a]! += other.zy[a]!;
  for (let a = 0; a < other.gram.length; a++) into.gram[a]! += other.gram[a]!;
}

function subtractMoments(into: Moments, other: Moments): void {
  into.n -= other.n;
  into.sumY -= other.sumY;
  for (let a = 0; a < other.sumZ.length; a++) into.sumZ[a]! -= other.sumZ[a]!;
  for (let a = 0; a < other.zy.length; a++) into.zy[a]! -= other.zy[a]!;
  for (let a = 0; a < other.gram.length; a++) into.gram[a]! -= other.gram[a]!;
}

/** The prediction for one design row, in the ONNX graph's order: standardise, multiply, sum, add the intercept. */
export function ridgeValue(model: RidgeModel, row: ArrayLike<number>): number {
  let value = 0;
  for (let j = 0; j < row.length; j++)
    value += ((row[j]! - model.means[j]!) / model.scales[j]!) * model.weights[j]!;
  return value + model.intercept;
}
