import { describe, expect, it } from 'vitest';
import { seededRandom } from '../src/random.ts';
import { fitRidge, RIDGE_ALPHAS, ridgeValue } from '../src/ridge.ts';
import { designOf } from './design.ts';

function linearData(n: number, noise: number, seed: number) {
  const random = seededRandom(seed);
  const x = Array.from({ length: n }, () => [random() * 10, random() * 100 - 50, random()]);
  const y = Float64Array.from(x, ([a, b]) => 3 * a! - 0.2 * b! + 12 + noise * (random() - 0.5));
  return { x, y };
}

describe('fitRidge', () => {
  it('recovers a noiseless linear relation almost exactly (the smallest penalty wins)', () => {
    const { x, y } = linearData(200, 0, 1);
    const model = fitRidge(designOf(x), y, seededRandom(1));
    expect(model.alpha).toBe(RIDGE_ALPHAS[0]);
    for (const [i, row] of x.slice(0, 20).entries()) expect(ridgeValue(model, row)).toBeCloseTo(y[i]!, 3);
  });

  it('solves its penalised normal equations: Zᵀ(y − ŷ) = α·β on standardised columns', () => {
    const { x, y } = linearData(300, 40, 2);
    const model = fitRidge(designOf(x), y, seededRandom(2));
    const residuals = x.map((row, i) => y[i]! - ridgeValue(model, row));
    expect(Math.abs(residuals.reduce((s, r) => s + r, 0))).toBeLessThan(1e-7);
    for (let j = 0; j < 3; j++) {
      const z = x.map((row) => (row[j]! - model.means[j]!) / model.scales[j]!);
      const gradient = z.reduce((s, v, i) => s + v * residuals[i]!, 0) - model.alpha * model.weights[j]!;
      expect(Math.abs(gradient)).toBeLessThan(1e-6);
    }
  });

  it('chooses a larger penalty for noisy data with useless columns than for clean data', () => {
    const random = seededRandom(3);
    const x = Array.from({ length: 60 }, () => Array.from({ length: 12 }, () => random()));
    const noisy = Float64Array.from(x, (row) => row[0]! + 3 * (random() - 0.5));
    const clean = Float64Array.from(x, (row) => row[0]!);
    expect(fitRidge(designOf(x), noisy, seededRandom(4)).alpha).toBeGreaterThan(
      fitRidge(designOf(x), clean, seededRandom(4)).alpha,
    );
  });
});
