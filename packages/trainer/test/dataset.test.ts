import { csvRecords } from '@glyco/contract';
import { describe, expect, it } from 'vitest';
import { buildDataset, type DatasetOptions } from '../src/dataset.ts';
import type { FeatureSchemaFile } from '../src/feature-schema.ts';
import { readTable } from '../src/table.ts';

const schema: FeatureSchemaFile = {
  features: {
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
  },
};

const build = (csv: string, options: Partial<DatasetOptions> = {}) =>
  buildDataset(readTable(csvRecords(csv)), { target: 'diabetes', schema, ...options });
const values = (dataset: ReturnType<typeof build>, feature: number) => Array.from(dataset.columns[feature]!);

describe('buildDataset', () => {
  it('turns declared zeros and empty cells into missing values and labels the positive class 1', () => {
    const dataset = build('glucose,age,diabetes\n148,50,pos\n0,31,neg\n,40,"neg"\n');
    expect(dataset).toMatchObject({ task: 'binary', taskInferred: true, rows: 3 });
    expect(dataset.target.classLabels).toEqual(['neg', 'pos']);
    expect(Array.from(dataset.y)).toEqual([1, 0, 0]);
    expect(values(dataset, 0)).toEqual([148, Number.NaN, Number.NaN]);
    expect(values(dataset, 1)).toEqual([50, 31, 40]);
    expect(dataset.features.map((f) => f.name)).toEqual(['glucose', 'age']);
    expect(dataset.inferredFeatures).toEqual([]);
  });

  it('keeps the feature values the float32 ONNX input will hold, in memory worker threads can share', () => {
    const dataset = build('glucose,age,diabetes\n100.1,50,pos\n5,31,neg\n');
    expect(dataset.columns[0]![0]).toBe(Math.fround(100.1));
    expect(dataset.columns[0]![0]).not.toBe(100.1);
    expect(dataset.columns[0]!.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(dataset.y.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('infers metadata for undeclared numeric columns, widening the valid range beyond the data', () => {
    const dataset = build('glucose,age,score,diabetes\n100,50,2.5,pos\n90,31,,neg\n95,33,4.5,neg\n');
    const score = dataset.features[2]!;
    expect(dataset.inferredFeatures).toEqual(['score']);
    expect(score).toMatchObject({
      name: 'score',
      dtype: 'float',
      nullable: true,
      zeroMeansMissing: false,
      min: 0,
      max: 6.5,
    });
  });

  it('reads a column of texts as a categorical feature, its categories sorted, missing as -1', () => {
    const dataset = build(
      'age,race,diabetes\n50,Caucasian,pos\n31,AfricanAmerican,neg\n40,,neg\n41,Caucasian,neg\n',
      {
        schema: undefined,
      },
    );
    expect(dataset.inferredFeatures).toEqual(['age', 'race']);
    expect(dataset.features[1]).toEqual({
      name: 'race',
      description: 'race',
      dtype: 'category',
      nullable: true,
      categories: ['AfricanAmerican', 'Caucasian'],
    });
    expect(values(dataset, 1)).toEqual([1, 0, -1, 1]);
  });

  it('takes a categorical feature as the schema declares it, categories in its order', () => {
    const declared: FeatureSchemaFile = {
      features: {
        age: schema.features.age!,
        admission: {
          description: 'Admission type',
          dtype: 'category',
          nullable: false,
          categories: ['urgent', 'elective', '1'],
        },
      },
    };
    const dataset = build('age,admission,diabetes\n50,elective,pos\n31,1,neg\n', { schema: declared });
    expect(dataset.features[1]).toMatchObject({ dtype: 'category', categories: ['urgent', 'elective', '1'] });
    expect(values(dataset, 1)).toEqual([1, 2]);
    expect(() => build('age,admission,diabetes\n50,walk-in,pos\n31,1,neg\n', { schema: declared })).toThrow(
      /^line 2, column "admission": "walk-in" is not one of the categories the schema declares$/,
    );
    expect(() => build('age,admission,diabetes\n50,,pos\n31,1,neg\n', { schema: declared })).toThrow(
      /^line 2, column "admission": missing, but the feature is required$/,
    );
  });

  it('accepts column names with spaces and hyphens', () => {
    const dataset = build('blood pressure,HbA1c-level,diabetes\n80,5.5,pos\n70,6.1,neg\n', {
      schema: undefined,
    });
    expect(dataset.features.map((f) => f.name)).toEqual(['blood pressure', 'HbA1c-level']);
  });

  it.each([
    ['three labels', 'x,diabetes\n1,a\n2,b\n3,c\n', 'multiclass', ['a', 'b', 'c']],
    ['a few whole numbers', 'x,diabetes\n1,0.0\n2,1.0\n3,2.0\n4,0.0\n', 'multiclass', ['0.0', '1.0', '2.0']],
    ['numbers ordered as numbers', 'x,diabetes\n1,10\n2,9\n3,2\n', 'multiclass', ['2', '9', '10']],
    ['fractions', 'x,diabetes\n1,0.5\n2,1.5\n3,2.25\n', 'regression', []],
    [
      'many whole numbers',
      `x,diabetes\n${Array.from({ length: 11 }, (_, i) => `${i},${i * 3}`).join('\n')}\n`,
      'regression',
      [],
    ],
    ['two numbers', 'x,diabetes\n1,1\n2,0\n', 'binary', ['0', '1']],
  ] as const)('infers the task from %s', (_, csv, task, classLabels) => {
    const dataset = build(csv, { schema: undefined });
    expect(dataset.task).toBe(task);
    expect(dataset.target.classLabels).toEqual(classLabels);
  });

  it('takes the task it is given over the inferred one', () => {
    const dataset = build('x,diabetes\n1,0\n2,1\n3,2\n', { schema: undefined, task: 'regression' });
    expect(dataset).toMatchObject({ task: 'regression', taskInferred: false });
    expect(Array.from(dataset.y)).toEqual([0, 1, 2]);
  });

  it.each([
    ['pos/neg', 'neg', 'pos'],
    ['Yes/No', 'No', 'Yes'],
    ['1/0 written as decimals', '0.0', '1.0'],
    ['true/false', 'false', 'true'],
  ])('infers the positive class of %s', (_, negative, positive) => {
    const dataset = build(`x,diabetes\n1,${positive}\n2,${negative}\n3,${negative}\n`, { schema: undefined });
    expect(dataset.target.classLabels).toEqual([negative, positive]);
    expect(Array.from(dataset.y)).toEqual([1, 0, 0]);
  });

  it.each([
    [
      'an unknown target column',
      'glucose,age,outcome\n1,2,pos\n',
      {},
      /target column "diabetes" not found; columns: glucose, age, outcome/,
    ],
    [
      'a positive label not in the column',
      'glucose,age,diabetes\n1,2,yes\n3,4,no\n',
      { positive: 'pos' },
      /^positive label "pos" does not occur in column "diabetes" \(values: "no", "yes"\)$/,
    ],
    [
      'two labels without an obvious positive',
      'glucose,age,diabetes\n1,2,red\n3,4,blue\n',
      {},
      /^column "diabetes" holds two classes \("blue", "red"\); say which one the model gives the probability of with --positive$/,
    ],
    [
      'a single class',
      'glucose,age,diabetes\n1,2,pos\n3,4,pos\n',
      {},
      /^column "diabetes" holds only one class \("pos"\); a model needs two or more$/,
    ],
    [
      'three classes for a binary model',
      'glucose,age,diabetes\n1,2,pos\n3,4,neg\n5,6,maybe\n',
      { task: 'binary' },
      /holds 3 classes .* a binary model needs exactly two \(leave out --task binary/,
    ],
    [
      'a positive label for a multiclass target',
      'glucose,age,diabetes\n1,2,a\n3,4,b\n5,6,c\n',
      { positive: 'a' },
      /^--positive applies to binary models; "diabetes" is a multiclass target$/,
    ],
    [
      'a text target for regression',
      'glucose,age,diabetes\n1,2,5\n3,4,high\n',
      { task: 'regression' },
      /^line 3: the target "diabetes" is "high", not a number; a regression target must be numeric$/,
    ],
    [
      'too many classes',
      `glucose,age,diabetes\n${Array.from({ length: 60 }, (_, i) => `1,2,c${i}`).join('\n')}\n`,
      {},
      /holds more than 50 distinct labels, too many classes for a model$/,
    ],
    [
      'a non-numeric cell in a numeric column',
      'glucose,age,diabetes\n1,2,pos\n3,abc,neg\n',
      {},
      /^line 3, column "age": "abc" is not a number$/,
    ],
    [
      'a text among numbers in an undeclared column',
      'glucose,age,score,diabetes\n1,2,5,pos\n3,4,high,neg\n',
      {},
      /^line 3, column "score": "high" is not a number$/,
    ],
    [
      'a hexadecimal number',
      'glucose,age,diabetes\n0x10,2,pos\n3,4,neg\n',
      {},
      /line 2, column "glucose": "0x10" is not a number/,
    ],
    ['NaN spelled out', 'glucose,age,diabetes\nNaN,2,pos\n3,4,neg\n', {}, /"NaN" is not a number/],
    [
      'a missing required value',
      'glucose,age,diabetes\n1,,pos\n3,4,neg\n',
      {},
      /line 2, column "age": missing, but the feature is required/,
    ],
    [
      'a fraction in an integer column',
      'glucose,age,diabetes\n1,2.5,pos\n3,4,neg\n',
      {},
      /line 2, column "age": 2.5 is not an integer/,
    ],
    [
      'a value outside the valid range',
      'glucose,age,diabetes\n700,2,pos\n3,4,neg\n',
      {},
      /line 2, column "glucose": 700 is outside the valid range 1–600/,
    ],
    [
      'an empty target cell',
      'glucose,age,diabetes\n1,2,\n3,4,neg\n',
      {},
      /line 2: the target column "diabetes" is empty/,
    ],
    ['no data rows', 'glucose,age,diabetes\n', {}, /a header but no data rows/],
    [
      'a number too large for a double',
      'glucose,age,diabetes\n1e400,2,pos\n3,4,neg\n',
      {},
      /line 2, column "glucose": 1e400 is too large/,
    ],
    [
      'a column name with a control character',
      'glucose,age,"blood\tpressure",diabetes\n1,2,3,pos\n3,4,5,neg\n',
      {},
      /column "blood\tpressure" is not a usable feature name: a feature name has no control characters/,
    ],
    [
      'a schema column the data lacks',
      'glucose,diabetes\n1,pos\n3,neg\n',
      {},
      /the schema declares "age", which the data lacks/,
    ],
    [
      'a categorical column with too many categories',
      `age,code,diabetes\n${Array.from({ length: 120 }, (_, i) => `1,c${i},${i % 2 ? 'pos' : 'neg'}`).join('\n')}\n`,
      { schema: undefined },
      /column "code" has more than 100 distinct values; a categorical feature may have at most 100/,
    ],
  ] as const)('rejects %s with one line naming it', (_, csv, options, message) => {
    expect(() => build(csv, options as Partial<DatasetOptions>)).toThrow(message);
  });
});
