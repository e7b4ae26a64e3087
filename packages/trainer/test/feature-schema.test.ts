import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readFeatureSchema, schemaPathBeside } from '../src/feature-schema.ts';
import { DATA_DIR } from './data.ts';

const work = mkdtempSync(join(tmpdir(), 'glyco-schema-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const file = (content: string) => {
  const path = join(work, `${Math.random().toString(36).slice(2)}.schema.json`);
  writeFileSync(path, content);
  return path;
};

describe('readFeatureSchema', () => {
  it('finds the schema beside the data', () => {
    expect(schemaPathBeside('data/pima.csv')).toBe('data/pima.schema.json');
  });

  it('reads the bundled Pima schema: missing-capable measurements nullable, physiological ranges', () => {
    const schema = readFeatureSchema(join(DATA_DIR, 'pima-indians-diabetes.schema.json'), true)!;
    const nullable = Object.entries(schema.features).flatMap(([name, f]) => (f.nullable ? [name] : []));
    expect(nullable).toEqual(['glucose', 'pressure', 'triceps', 'insulin', 'mass']);
    expect(schema.features.glucose).toMatchObject({
      min: 1,
      max: 600,
      unit: 'mg/dL',
      zeroMeansMissing: true,
    });
    expect(schema.target).toBeUndefined();
  });

  it("reads categorical features, with or without their categories, and the target's description and unit", () => {
    const path = file(
      JSON.stringify({
        features: {
          gender: {
            description: 'Gender',
            dtype: 'category',
            nullable: true,
            categories: ['Female', 'Male'],
          },
          race: { description: 'Race', dtype: 'category', nullable: true },
        },
        target: { description: 'Disease progression after one year', unit: null },
      }),
    );
    expect(readFeatureSchema(path, true)).toEqual({
      features: {
        gender: { description: 'Gender', dtype: 'category', nullable: true, categories: ['Female', 'Male'] },
        race: { description: 'Race', dtype: 'category', nullable: true },
      },
      target: { description: 'Disease progression after one year', unit: null },
    });
  });

  it('is optional when auto-detected and required when named', () => {
    expect(readFeatureSchema(join(work, 'absent.schema.json'), false)).toBeUndefined();
    expect(() => readFeatureSchema(join(work, 'absent.schema.json'), true)).toThrow(
      /schema file .* does not exist/,
    );
  });

  it('names what is wrong in a bad schema file', () => {
    expect(() => readFeatureSchema(file('{'), true)).toThrow(/is not valid JSON/);
    expect(() => readFeatureSchema(file('{"features": {"age": {"unit": null}}}'), true)).toThrow(
      /features\.age\.dtype/,
    );
    expect(() =>
      readFeatureSchema(file('{"features": {"age": {"dtype": "integer", "unit": null}}}'), true),
    ).toThrow(/features\.age\.description/);
    const inverted = {
      description: 'a',
      unit: null,
      dtype: 'float',
      nullable: true,
      min: 5,
      max: 1,
      zeroMeansMissing: false,
    };
    expect(() => readFeatureSchema(file(JSON.stringify({ features: { a: inverted } })), true)).toThrow(
      /features\.a: min 5 > max 1/,
    );
    const repeated = { description: 'a', dtype: 'category', nullable: true, categories: ['x', 'y', 'x'] };
    expect(() => readFeatureSchema(file(JSON.stringify({ features: { a: repeated } })), true)).toThrow(
      /features\.a: category "x" appears twice/,
    );
    const numericWithCategories = { ...inverted, min: 1, max: 5, categories: ['x'] };
    expect(() =>
      readFeatureSchema(file(JSON.stringify({ features: { a: numericWithCategories } })), true),
    ).toThrow(/schema file .*: features\.a/);
  });
});
