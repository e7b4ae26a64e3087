import { describe, expect, it } from 'vitest';
import { chiSquarePValue, chiSquareStatistic } from '../../src/drift/chi-square.ts';

describe("Pearson's chi-square test of category counts", () => {
  it('gives the p-values of the chi-square distribution tables', () => {
    // Upper-tail critical values (NIST/SEMATECH e-Handbook, table 1.3.6.7.4): P(X > x) for df degrees of freedom.
    const table: [x: number, df: number, p: number][] = [
      [3.841, 1, 0.05],
      [6.635, 1, 0.01],
      [5.991, 2, 0.05],
      [9.21, 2, 0.01],
      [11.07, 5, 0.05],
      [23.209, 10, 0.01],
      [124.342, 100, 0.05],
    ];
    for (const [x, df, p] of table) expect(chiSquarePValue(x, df)).toBeCloseTo(p, 4);
    // Closed forms: df 2 is exponential, P = e^(-x/2); df 1 at x = 0 is certain.
    expect(chiSquarePValue(4, 2)).toBeCloseTo(Math.exp(-2), 12);
    expect(chiSquarePValue(0, 1)).toBe(1);
    expect(chiSquarePValue(1e4, 3)).toBe(0);
  });

  it('sums (observed − expected)² / expected, with one degree of freedom fewer than categories', () => {
    // 100 values against shares 0.5/0.3/0.2: expected 50/30/20, observed 40/30/30 → 2 + 0 + 5.
    expect(chiSquareStatistic([0.5, 0.3, 0.2], [40, 30, 30])).toEqual({ statistic: 7, degreesOfFreedom: 2 });
    expect(chiSquareStatistic([0.5, 0.5], [50, 50]).statistic).toBe(0);
    expect(() => chiSquareStatistic([0.5, 0.5], [1])).toThrow(RangeError);
  });
});
