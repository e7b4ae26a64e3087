import { describe, expect, it } from 'vitest';
import { allRows, designColumnNames, fitPreprocessing, transform } from '../src/preprocessing.ts';
import { datasetOf, loadPima } from './data.ts';

const rowOf = (design: ReturnType<typeof transform>, row: number) =>
  design.columns.map((column) => column[row]);

describe('fitPreprocessing', () => {
  it('fills with the median of the present values and flags features missing in ≥ 5% of rows', () => {
    const data = datasetOf('a,b,c,y\n1,10,5,0\n3,,5,1\n2,30,5,0\n100,20,5,1\n', {
      target: 'y',
      schema: undefined,
    });
    const prep = fitPreprocessing(data, allRows(4));
    expect(prep.fillValues).toEqual([2.5, 20, 5]);
    expect(prep.missingIndicators).toEqual([1]);
    const design = transform(data, { ...prep, logTransform: [false, false, false] }, allRows(4));
    expect(rowOf(design, 1)).toEqual([3, 20, 5, 1]);
  });

  it('fits on the rows it is given only', () => {
    const data = datasetOf('a,y\n1,0\n2,1\n3,0\n100,1\n', { target: 'y', schema: undefined });
    expect(fitPreprocessing(data, Int32Array.from([0, 1, 2])).fillValues).toEqual([2]);
  });

  it('turns a categorical feature into one column per category, and all zeros plus a flag when missing', () => {
    const data = datasetOf('age,race,y\n50,b,1\n31,a,0\n40,,0\n41,b,0\n60,c,1\n', {
      target: 'y',
      schema: undefined,
    });
    const prep = fitPreprocessing(data, allRows(5));
    expect(prep.categorical).toEqual([{ categories: 3, missingIndicator: true }]);
    expect(designColumnNames(prep, data.features)).toEqual([
      'age',
      'race = a',
      'race = b',
      'race = c',
      'race missing',
    ]);
    const design = transform(data, prep, allRows(5));
    expect(rowOf(design, 0)).toEqual([50, 0, 1, 0, 0]);
    expect(rowOf(design, 2)).toEqual([40, 0, 0, 0, 1]);
  });

  it('log-transforms the right-skewed Pima features and keeps the symmetric ones', () => {
    const { dataset } = loadPima();
    const prep = fitPreprocessing(dataset, allRows(dataset.rows));
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
    const first = rowOf(transform(dataset, prep, allRows(1)), 0); // 6,148,72,35,(0 → missing),33.6,0.627,50
    expect(first[4]).toBeCloseTo(Math.log(1 + prep.fillValues[4]!), 12);
    expect(first[7]).toBeCloseTo(Math.log(51), 12);
    expect(first.slice(8)).toEqual([0, 1]);
  });
});
