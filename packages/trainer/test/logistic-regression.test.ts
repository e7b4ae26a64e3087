import { describe, expect, it } from 'vitest';
import {
  fitLogistic,
  fitSoftmax,
  type LogisticModel,
  logisticMargins,
  sigmoid,
} from '../src/logistic-regression.ts';
import { seededRandom } from '../src/random.ts';
import { designOf } from './design.ts';

function noisyData(n: number, seed: number) {
  const random = seededRandom(seed);
  const x = Array.from({ length: n }, () => [random() * 10, random() * 100 - 50, 7]);
  // True model: logit = 0.8·x0 − 0.05·x1 − 4; the constant third column carries nothing.
  const y = Float64Array.from(x, ([a, b]) =>
    random() < 1 / (1 + Math.exp(-(0.8 * a! - 0.05 * b! - 4))) ? 1 : 0,
  );
  return { x, y };
}

const margins = (model: LogisticModel, row: readonly number[]) => {
  const out = new Float64Array(model.weights.length);
  logisticMargins(model, row, out);
  return out;
};
const probability = (model: LogisticModel, row: readonly number[]) => sigmoid(margins(model, row)[0]!);

describe('fitLogistic', () => {
  it('reaches the penalised optimum: the gradient Xᵀ(p − y) + l2·w vanishes', () => {
    const { x, y } = noisyData(400, 1);
    const model = fitLogistic(designOf(x), y, { l2: 1 });
    const z = x.map((row) => row.map((v, j) => (v - model.means[j]!) / model.scales[j]!));
    const residuals = x.map((row, i) => probability(model, row) - y[i]!);
    expect(Math.abs(residuals.reduce((s, r) => s + r, 0))).toBeLessThan(1e-8);
    for (let j = 0; j < 3; j++) {
      const gradient = z.reduce((s, row, i) => s + row[j]! * residuals[i]!, 0) + model.weights[0]![j]!;
      expect(Math.abs(gradient)).toBeLessThan(1e-8);
    }
  });

  it('recovers the direction of the true effects and ignores a constant column', () => {
    const { x, y } = noisyData(2000, 2);
    const model = fitLogistic(designOf(x), y, { l2: 1 });
    const raw = model.weights[0]!.map((w, j) => w / model.scales[j]!);
    expect(raw[0]).toBeGreaterThan(0.6);
    expect(raw[0]).toBeLessThan(1);
    expect(raw[1]).toBeLessThan(-0.03);
    expect(model.weights[0]![2]).toBe(0);
  });

  it('stays finite on separable data thanks to the penalty', () => {
    const model = fitLogistic(designOf([[0], [1], [2], [3]]), Float64Array.from([0, 0, 1, 1]), { l2: 1 });
    expect(Number.isFinite(model.weights[0]![0])).toBe(true);
    expect(probability(model, [3])).toBeGreaterThan(0.5);
    expect(probability(model, [0])).toBeLessThan(0.5);
  });

  it('weighs rows: a row of weight 2 counts as that row twice', () => {
    const { x, y } = noisyData(100, 3);
    const weights = Float64Array.from(x, (_, i) => (i < 10 ? 2 : 1));
    const weighted = fitLogistic(designOf(x), y, { l2: 1, rowWeights: weights });
    const doubled = [...x, ...x.slice(0, 10)];
    const repeated = fitLogistic(designOf(doubled), Float64Array.from([...y, ...y.slice(0, 10)]), { l2: 1 });
    // Standardisation differs (it sees the rows once or twice), so compare predictions, not weights.
    for (const row of x) expect(probability(weighted, row)).toBeCloseTo(probability(repeated, row), 2);
  });
});

function threeClasses(n: number, seed: number) {
  const random = seededRandom(seed);
  const x = Array.from({ length: n }, () => [random() * 4 - 2, random() * 4 - 2]);
  const y = Float64Array.from(x, ([a, b]) => {
    const scores = [0, 1.5 * a!, 1.5 * b! + 0.5].map(Math.exp);
    const u = random() * scores.reduce((s, v) => s + v, 0);
    return u < scores[0]! ? 0 : u < scores[0]! + scores[1]! ? 1 : 2;
  });
  return { x, y };
}

describe('fitSoftmax', () => {
  it('reaches the penalised optimum of the multinomial likelihood: every class gradient vanishes', () => {
    const { x, y } = threeClasses(600, 4);
    const model = fitSoftmax(designOf(x), y, 3, { l2: 1 });
    const z = x.map((row) => row.map((v, j) => (v - model.means[j]!) / model.scales[j]!));
    for (let k = 0; k < 3; k++) {
      const residuals = x.map((row, i) => {
        const m = margins(model, row);
        const total = m.reduce((s, v) => s + Math.exp(v), 0);
        return Math.exp(m[k]!) / total - (y[i] === k ? 1 : 0);
      });
      // Class 0's intercept is held at 0 (the softmax ignores a common shift), so only 1 and 2 must balance.
      if (k > 0) expect(Math.abs(residuals.reduce((s, r) => s + r, 0))).toBeLessThan(1e-7);
      for (let j = 0; j < 2; j++) {
        const gradient = z.reduce((s, row, i) => s + row[j]! * residuals[i]!, 0) + model.weights[k]![j]!;
        expect(Math.abs(gradient)).toBeLessThan(1e-7);
      }
    }
  });

  it('with two classes is binary logistic regression with half the penalty', () => {
    const { x, y } = noisyData(300, 5);
    const softmax = fitSoftmax(designOf(x), y, 2, { l2: 2 });
    const binary = fitLogistic(designOf(x), y, { l2: 1 });
    for (const row of x.slice(0, 50)) {
      const m = margins(softmax, row);
      expect(sigmoid(m[1]! - m[0]!)).toBeCloseTo(probability(binary, row), 9);
    }
  });
});
