import { describe, expect, it } from 'vitest';
import { Problem } from '../../src/http/problem.ts';
import { schemasFor } from '../../src/validation/model-schemas.ts';
import { parsePredictBody } from '../../src/validation/predict-body.ts';
import { MANIFEST, VALID_ROW } from '../support/fixtures.ts';

const schemas = schemasFor(MANIFEST, 5);
const parse = (body: unknown) => parsePredictBody(MANIFEST, schemas, body);

function problemOf(body: unknown): Problem {
  try {
    parse(body);
  } catch (error) {
    if (error instanceof Problem) return error;
    throw error;
  }
  throw new Error('expected a Problem');
}

describe('parsePredictBody', () => {
  it('encodes one flat row in manifest order, NaN for missing: null, absent, or a zero that means not measured', () => {
    const { glucose: _glucose, ...withoutGlucose } = VALID_ROW;
    const parsed = parse({ ...withoutGlucose, triceps: null });
    expect(parsed.batch).toBe(false);
    expect(parsed.count).toBe(1);
    expect([...parsed.input.numeric]).toEqual(
      [2, Number.NaN, 72, Number.NaN, Number.NaN, 33.6, 0.627, 50].map((v) => Math.fround(v)),
    );
    expect(parsed.inputsOf(0)).toEqual({
      pregnant: 2,
      glucose: null,
      pressure: 72,
      triceps: null,
      insulin: null,
      mass: 33.6,
      pedigree: 0.627,
      age: 50,
    });
  });

  it('encodes instances row after row', () => {
    const parsed = parse({ instances: [VALID_ROW, { ...VALID_ROW, age: 21 }] });
    expect(parsed.batch).toBe(true);
    expect(parsed.count).toBe(2);
    expect(parsed.input.numeric[MANIFEST.features.length * 2 - 1]).toBe(21);
  });

  it.each([
    [{ ...VALID_ROW, glucoze: 148 }, '#/glucoze', 'is not a known field; did you mean "glucose"?'],
    [
      { ...VALID_ROW, colour: 'red' },
      '#/colour',
      'is not a known field; expected pregnant, glucose, pressure, triceps, insulin, mass, pedigree, age',
    ],
    [{ ...VALID_ROW, age: '50' }, '#/age', 'must be a number, not the string "50"'],
    [{ ...VALID_ROW, age: null }, '#/age', 'is required and must not be null'],
    [(({ age: _age, ...row }) => row)(VALID_ROW), '#/age', 'is required'],
    [{ ...VALID_ROW, pregnant: 2.5 }, '#/pregnant', 'must be a whole number'],
    [{ ...VALID_ROW, glucose: 700 }, '#/glucose', 'must be at most 600 mg/dL'],
    [{ ...VALID_ROW, glucose: 0.5 }, '#/glucose', 'must be at least 1 mg/dL'],
    [{ ...VALID_ROW, pedigree: -1 }, '#/pedigree', 'must be at least 0'],
    [{ ...VALID_ROW, mass: [33] }, '#/mass', 'must be a number, not an array'],
    [{ ...VALID_ROW, age: 1e20 }, '#/age', 'must be at most 120 years'],
  ])('rejects %j with 422 naming %s', (body, pointer, detail) => {
    const problem = problemOf(body);
    expect(problem.status).toBe(422);
    expect(problem.errors).toEqual([{ pointer, detail }]);
    expect(problem.message).toBe(`${pointer.slice(2)} ${detail}`);
  });

  it("says a number beyond any feature's range must be finite: JSON's 1e400 parses as Infinity", () => {
    const problem = problemOf(JSON.parse(JSON.stringify(VALID_ROW).replace('33.6', '1e400')));
    expect(problem.errors).toEqual([{ pointer: '#/mass', detail: 'must be a finite number' }]);
  });

  it('names every offending field of every row, the first one in the detail', () => {
    const problem = problemOf({
      instances: [VALID_ROW, { ...VALID_ROW, age: -1, mass: 'x' }, { ...VALID_ROW, glucose: 601 }],
    });
    expect(problem.message).toBe('instances[1].mass must be a number, not the string "x" (and 2 more)');
    expect(problem.errors).toEqual([
      { pointer: '#/instances/1/mass', detail: 'must be a number, not the string "x"' },
      { pointer: '#/instances/1/age', detail: 'must be at least 0 years' },
      { pointer: '#/instances/2/glucose', detail: 'must be at most 600 mg/dL' },
    ]);
  });

  it.each([
    [[VALID_ROW], '#', 'must be a JSON object of features, or {"instances": [ {...}, ... ]}'],
    ['row', '#', 'must be a JSON object of features, or {"instances": [ {...}, ... ]}'],
    [null, '#', 'must be a JSON object of features, or {"instances": [ {...}, ... ]}'],
    [{ instances: [] }, '#/instances', 'must hold at least one row'],
    [{ instances: VALID_ROW }, '#/instances', 'must be an array of feature objects'],
    [{ instances: [42] }, '#/instances/0', 'must be a JSON object'],
    [{ instances: [VALID_ROW], age: 3 }, '#/age', 'is not a known field; expected instances'],
  ])('rejects the body %j with 422 at %s', (body, pointer, detail) => {
    const problem = problemOf(body);
    expect(problem.status).toBe(422);
    expect(problem.errors).toContainEqual({ pointer, detail });
  });

  it('answers 413 when instances holds more rows than allowed', () => {
    const problem = problemOf({ instances: Array.from({ length: 6 }, () => VALID_ROW) });
    expect(problem.status).toBe(413);
    expect(problem.message).toBe('instances holds 6 rows; at most 5 are allowed per request');
  });

  it('reports at most 50 errors however many there are', () => {
    const big = schemasFor(MANIFEST, 100);
    const rows = Array.from({ length: 100 }, () => ({ ...VALID_ROW, age: -1 }));
    try {
      parsePredictBody(MANIFEST, big, { instances: rows });
      expect.unreachable();
    } catch (error) {
      expect((error as Problem).errors).toHaveLength(50);
      expect((error as Problem).message).toContain('(and 99 more)');
    }
  });
});
