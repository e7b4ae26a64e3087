import { describe, expect, it } from 'vitest';
import { designColumnNames, fitPreprocessing, transformRow } from '../src/preprocessing.ts';
import { loadPima } from './pima.ts';

const NaN_ = Number.NaN;

describe('fitPreprocessing', () => {
  it('fills with the median of the present values and flags features missing in ≥ 5% of rows', () => {
    const rows = [
      [1, 10, 5],
      [3, NaN_, 5],
      [2, 30, 5],
      [100, 20, 5],
    ];
    const prep = fitPreprocessing(rows, 3);
    expect(prep.fillValues).toEqual([2.5, 20, 5]);
    expect(prep.missingIndicators).toEqual([1]);
    expect(transformRow([NaN_, NaN_, 5], { ...prep, logTransform: [false, false, false] })).toEqual([
      2.5, 20, 5, 1,
    ]);
  });

  it('log-transforms the right-skewed Pima features and keeps the symmetric ones', () => {
    const { dataset } = loadPima();
    const prep = fitPreprocessing(dataset.rows, dataset.features.length);
    expect(designColumnNames(prep, dataset.features)).toEqual([
      'pregnant',
      'glucose',
      'pressure',
      'triceps',
      'log1p(insulin)',
      'mass',
      'log1p(pedigree)',
      'log1p(age)',
      'triceps missing',
      'insulin missing',
    ]);
    const row = dataset.rows[0]!; // 6,148,72,35,(0 → missing),33.6,0.627,50
    const design = transformRow(row, prep);
    expect(design[4]).toBeCloseTo(Math.log(1 + prep.fillValues[4]!), 12);
    expect(design[7]).toBeCloseTo(Math.log(51), 12);
    expect(design.slice(8)).toEqual([0, 1]);
  });
});
