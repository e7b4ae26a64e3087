import type { CategoricalFeatureSpec, FeatureSpec, NumericReferenceDistribution } from '@glyco/contract';
import { ReferenceDistributionSchema } from '@glyco/contract';
import { describe, expect, it } from 'vitest';
import { binProportions, quantile, referenceDistributions } from '../src/reference.ts';

const feature = (name: string): FeatureSpec => ({
  name,
  description: name,
  unit: null,
  dtype: 'float',
  nullable: true,
  min: 0,
  max: 1000,
  zeroMeansMissing: false,
});

describe('referenceDistributions', () => {
  it('describes the non-missing values and the missing rate of each feature', () => {
    const columns = [
      Float64Array.from({ length: 101 }, (_, i) => i),
      Float64Array.from({ length: 101 }, (_, i) => (i % 4 === 0 ? Number.NaN : 5)),
    ];
    const [first, second] = referenceDistributions({ features: [feature('a'), feature('b')], columns }) as [
      NumericReferenceDistribution,
      NumericReferenceDistribution,
    ];
    expect(ReferenceDistributionSchema.parse(first)).toEqual(first);
    expect(first!.quantiles).toEqual(Array.from({ length: 101 }, (_, i) => i));
    expect(first!.edges).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(first!.proportions.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    expect(first!.missingRate).toBe(0);
    expect(second!.count).toBe(75);
    expect(second!.missingRate).toBeCloseTo(26 / 101, 12);
    expect(second!.edges).toEqual([5, 5]);
    expect(second!.proportions).toEqual([1]);
  });
});

describe('referenceDistributions of a categorical feature', () => {
  it('gives the share of each category among the present values, and the missing rate', () => {
    const race: CategoricalFeatureSpec = {
      name: 'race',
      description: 'race',
      dtype: 'category',
      nullable: true,
      categories: ['a', 'b', 'c'],
    };
    const [reference] = referenceDistributions({
      features: [race],
      columns: [Int32Array.from([0, 1, 1, -1, 1])],
    });
    expect(ReferenceDistributionSchema.parse(reference)).toEqual(reference);
    expect(reference).toEqual({
      feature: 'race',
      categories: ['a', 'b', 'c'],
      proportions: [0.25, 0.75, 0],
      missingRate: 0.2,
      count: 4,
    });
  });
});

describe('quantile', () => {
  it('interpolates linearly between order statistics, like numpy', () => {
    // numpy.quantile([1, 2, 4, 8], [0.5, 0.25, 0.9]) → 3, 1.75, 6.8
    expect(quantile([1, 2, 4, 8], 1, 2)).toBe(3);
    expect(quantile([1, 2, 4, 8], 25, 100)).toBe(1.75);
    expect(quantile([1, 2, 4, 8], 9, 10)).toBeCloseTo(6.8, 12);
  });
});

describe('binProportions', () => {
  it('closes the last bin and folds values beyond the edges into the outer bins', () => {
    expect(binProportions([-5, 0, 1, 2, 3, 99], [0, 1, 3])).toEqual([2 / 6, 4 / 6]);
    expect(binProportions([0, 1, 2, 3], [0, 1, 2, 3])).toEqual([0.25, 0.25, 0.5]);
  });
});
