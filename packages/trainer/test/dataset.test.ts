import { describe, expect, it } from 'vitest';
import { parseCsv } from '../src/csv.ts';
import { buildDataset } from '../src/dataset.ts';
import type { FeatureSchemaFile } from '../src/feature-schema.ts';

const schema: FeatureSchemaFile = {
  glucose: {
    description: 'Plasma glucose',
    unit: 'mg/dL',
    dtype: 'float',
    nullable: true,
    min: 1,
    max: 600,
    zeroMeansMissing: true,
  },
  age: {
    description: 'Age',
    unit: 'years',
    dtype: 'integer',
    nullable: false,
    min: 0,
    max: 120,
    zeroMeansMissing: false,
  },
};

const build = (csv: string, options: Partial<Parameters<typeof buildDataset>[1]> = {}) =>
  buildDataset(parseCsv(csv), { target: 'diabetes', positive: 'pos', schema, ...options });

describe('buildDataset', () => {
  it('turns declared zeros and empty cells into missing values and labels the positive class 1', () => {
    const dataset = build('glucose,age,diabetes\n148,50,pos\n0,31,neg\n,40,"neg"\n');
    expect(dataset.classLabels).toEqual(['neg', 'pos']);
    expect(dataset.labels).toEqual([1, 0, 0]);
    expect(dataset.rows).toEqual([
      [148, 50],
      [Number.NaN, 31],
      [Number.NaN, 40],
    ]);
    expect(dataset.features.map((f) => f.name)).toEqual(['glucose', 'age']);
    expect(dataset.inferredFeatures).toEqual([]);
  });

  it('keeps the feature values the float32 ONNX input will hold', () => {
    const dataset = build('glucose,age,diabetes\n100.1,50,pos\n5,31,neg\n');
    expect(dataset.rows[0]![0]).toBe(Math.fround(100.1));
    expect(dataset.rows[0]![0]).not.toBe(100.1);
  });

  it('infers metadata for undeclared columns, widening the valid range beyond the data', () => {
    const dataset = build('glucose,age,score,diabetes\n100,50,2.5,pos\n90,31,,neg\n95,33,4.5,neg\n');
    const score = dataset.features[2]!;
    expect(dataset.inferredFeatures).toEqual(['score']);
    expect(score).toMatchObject({ name: 'score', dtype: 'float', nullable: true, zeroMeansMissing: false });
    expect(score.min).toBe(0);
    expect(score.max).toBe(6.5);
  });

  it.each([
    [
      'an unknown target column',
      'glucose,age,outcome\n1,2,pos\n',
      /target column "diabetes" not found; columns: glucose, age, outcome/,
    ],
    [
      'a positive label not in the column',
      'glucose,age,diabetes\n1,2,yes\n3,4,no\n',
      /positive label "pos" does not occur in column "diabetes" \(values: "no", "yes"\)/,
    ],
    [
      'a single class',
      'glucose,age,diabetes\n1,2,pos\n3,4,pos\n',
      /holds only one class \("pos"\); a binary model needs two/,
    ],
    [
      'three classes',
      'glucose,age,diabetes\n1,2,pos\n3,4,neg\n5,6,maybe\n',
      /holds 3 classes .* needs exactly two/,
    ],
    [
      'a non-numeric cell',
      'glucose,age,diabetes\n1,2,pos\n3,abc,neg\n',
      /^line 3, column "age": "abc" is not a number$/,
    ],
    [
      'a hexadecimal number',
      'glucose,age,diabetes\n0x10,2,pos\n3,4,neg\n',
      /line 2, column "glucose": "0x10" is not a number/,
    ],
    ['NaN spelled out', 'glucose,age,diabetes\nNaN,2,pos\n3,4,neg\n', /"NaN" is not a number/],
    [
      'a missing required value',
      'glucose,age,diabetes\n1,,pos\n3,4,neg\n',
      /line 2, column "age": missing, but the feature is required/,
    ],
    [
      'a fraction in an integer column',
      'glucose,age,diabetes\n1,2.5,pos\n3,4,neg\n',
      /line 2, column "age": 2.5 is not an integer/,
    ],
    [
      'a value outside the valid range',
      'glucose,age,diabetes\n700,2,pos\n3,4,neg\n',
      /line 2, column "glucose": 700 is outside the valid range 1–600/,
    ],
    [
      'an empty target cell',
      'glucose,age,diabetes\n1,2,\n3,4,neg\n',
      /line 2: the target column "diabetes" is empty/,
    ],
    ['no data rows', 'glucose,age,diabetes\n', /a header but no data rows/],
    [
      'a number too large for a double',
      'glucose,age,diabetes\n1e400,2,pos\n3,4,neg\n',
      /line 2, column "glucose": 1e400 is too large/,
    ],
    [
      'a column name that is no identifier',
      'glucose,age,blood pressure,diabetes\n1,2,3,pos\n3,4,5,neg\n',
      /column "blood pressure" is not a usable feature name/,
    ],
    [
      'a schema column the data lacks',
      'glucose,diabetes\n1,pos\n3,neg\n',
      /the schema declares "age", which the data lacks/,
    ],
  ])('rejects %s with a message naming it', (_, csv, message) => {
    expect(() => build(csv)).toThrow(message);
  });
});
