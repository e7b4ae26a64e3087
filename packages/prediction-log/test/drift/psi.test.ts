import { describe, expect, it } from 'vitest';
import { binIndex, binProportions, populationStabilityIndex } from '../../src/drift/psi.ts';

describe('population stability index', () => {
  const edges = [0, 10, 20, 30];

  it('bins half-open intervals, the last one closed, and folds values beyond the edges into the outer bins', () => {
    expect([-5, 0, 9.99, 10, 19.5, 20, 29.9, 30, 1000].map((value) => binIndex(edges, value))).toEqual([
      0, 0, 0, 1, 1, 2, 2, 2, 2,
    ]);
    expect(binProportions(edges, [1, 2, 15, 25])).toEqual([0.5, 0.25, 0.25]);
    expect(binProportions(edges, [])).toEqual([0, 0, 0]);
  });

  it('is 0 for identical shares and the textbook value for a known shift', () => {
    expect(populationStabilityIndex([0.2, 0.3, 0.5], [0.2, 0.3, 0.5])).toBe(0);
    // (0.9 − 0.5)·ln(0.9/0.5) + (0.1 − 0.5)·ln(0.1/0.5) = 0.4·0.5878 + 0.4·1.6094
    expect(populationStabilityIndex([0.5, 0.5], [0.9, 0.1])).toBeCloseTo(0.8789, 4);
  });

  it('stays finite when a bin is empty on one side', () => {
    const psi = populationStabilityIndex([0.5, 0.5], [1, 0]);
    expect(Number.isFinite(psi)).toBe(true);
    expect(psi).toBeGreaterThan(2);
  });

  it('refuses shares over different bins', () => {
    expect(() => populationStabilityIndex([0.5, 0.5], [1])).toThrow(RangeError);
  });
});
