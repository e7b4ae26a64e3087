import { describe, expect, it } from 'vitest';
import { ksPValue, ksStatistic, quantileCdf } from '../../src/drift/kolmogorov-smirnov.ts';

const uniform0to100 = Array.from({ length: 101 }, (_, i) => i);

describe('the reference CDF from its percentiles', () => {
  it('interpolates between percentiles, 0 below the minimum and 1 from the maximum on', () => {
    expect(quantileCdf(uniform0to100, -1)).toBe(0);
    expect(quantileCdf(uniform0to100, 50)).toBe(0.5);
    expect(quantileCdf(uniform0to100, 50.5)).toBeCloseTo(0.505, 10);
    expect(quantileCdf(uniform0to100, 100)).toBe(1);
    expect(quantileCdf(uniform0to100, 0, true)).toBe(0);
  });

  it('jumps at a value repeated across percentiles (discrete features)', () => {
    const zerosThenOnes = [...new Array(50).fill(0), ...new Array(51).fill(1)];
    expect(quantileCdf(zerosThenOnes, 0, true)).toBe(0);
    expect(quantileCdf(zerosThenOnes, 0)).toBe(0.49);
    expect(quantileCdf(zerosThenOnes, 1, true)).toBe(0.5);
    expect(quantileCdf(zerosThenOnes, 1)).toBe(1);
  });
});

describe('the Kolmogorov–Smirnov statistic against the reference', () => {
  it('is near 0 for a sample spread like the reference, and the shift for a shifted one', () => {
    const likeReference = Array.from({ length: 1000 }, (_, i) => (i + 0.5) / 10);
    expect(ksStatistic(likeReference, uniform0to100)).toBeLessThan(0.001);
    const shifted = likeReference.map((value) => value + 20);
    expect(ksStatistic(shifted, uniform0to100)).toBeCloseTo(0.2, 2);
  });

  it('is 1 for a sample entirely beyond the reference, and 0 for no sample', () => {
    expect(ksStatistic([500, 600], uniform0to100)).toBe(1);
    expect(ksStatistic([], uniform0to100)).toBe(0);
  });

  it('finds a gap that opens just left of a sample value', () => {
    // Half the sample at exactly 50: F_live jumps from 0 to 0.5 there, while F_ref(50−) is 0.5.
    expect(ksStatistic([50, 50, 99, 99], uniform0to100)).toBeCloseTo(0.5, 10);
  });
});

describe('the KS p-value', () => {
  it('is 1 without a gap and about 5% at the classic critical value 1.358/√n_e', () => {
    expect(ksPValue(0, 500, 768)).toBe(1);
    const n = 2_000_000;
    const effective = Math.sqrt((n * n) / (2 * n));
    expect(ksPValue(1.358 / effective, n, n)).toBeCloseTo(0.05, 3);
  });

  it('is tiny for a large gap between large samples', () => {
    expect(ksPValue(0.3, 1000, 768)).toBeLessThan(1e-10);
  });
});
