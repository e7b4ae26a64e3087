import { describe, expect, it } from 'vitest';
import { fitLogistic, predictLogistic } from '../src/logistic-regression.ts';
import { seededRandom } from '../src/random.ts';

function noisyData(n: number, seed: number) {
  const random = seededRandom(seed);
  const x = Array.from({ length: n }, () => [random() * 10, random() * 100 - 50, 7]);
  // True model: logit = 0.8·x0 − 0.05·x1 − 4; the constant third column carries nothing.
  const y = x.map(([a, b]) => (random() < 1 / (1 + Math.exp(-(0.8 * a! - 0.05 * b! - 4))) ? 1 : 0));
  return { x, y };
}

describe('fitLogistic', () => {
  it('reaches the penalised optimum: the gradient Xᵀ(p − y) + l2·w vanishes', () => {
    const { x, y } = noisyData(400, 1);
    const model = fitLogistic(x, y, { l2: 1 });
    const z = x.map((row) => row.map((v, j) => (v - model.means[j]!) / model.scales[j]!));
    const residuals = x.map((row, i) => predictLogistic(model, row) - y[i]!);
    expect(Math.abs(residuals.reduce((s, r) => s + r, 0))).toBeLessThan(1e-8);
    for (let j = 0; j < 3; j++) {
      const gradient = z.reduce((s, row, i) => s + row[j]! * residuals[i]!, 0) + model.weights[j]!;
      expect(Math.abs(gradient)).toBeLessThan(1e-8);
    }
  });

  it('recovers the direction of the true effects and ignores a constant column', () => {
    const { x, y } = noisyData(2000, 2);
    const model = fitLogistic(x, y, { l2: 1 });
    const raw = model.weights.map((w, j) => w / model.scales[j]!);
    expect(raw[0]).toBeGreaterThan(0.6);
    expect(raw[0]).toBeLessThan(1);
    expect(raw[1]).toBeLessThan(-0.03);
    expect(model.weights[2]).toBe(0);
  });

  it('stays finite on separable data thanks to the penalty', () => {
    const x = [[0], [1], [2], [3]];
    const model = fitLogistic(x, [0, 0, 1, 1], { l2: 1 });
    expect(Number.isFinite(model.weights[0])).toBe(true);
    expect(predictLogistic(model, [3])).toBeGreaterThan(0.5);
    expect(predictLogistic(model, [0])).toBeLessThan(0.5);
  });
});
