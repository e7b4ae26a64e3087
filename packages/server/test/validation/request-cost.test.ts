import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Problem } from '../../src/http/problem.ts';
import { parseInferenceRequest } from '../../src/validation/inference-request.ts';
import { schemasFor } from '../../src/validation/model-schemas.ts';
import { parsePredictBody } from '../../src/validation/predict-body.ts';
import { MANIFEST, VALID_ROW } from '../support/fixtures.ts';

/** The work behind "did you mean …?" hints: edit distances computed, and the cells of their tables. */
const hints = vi.hoisted(() => ({ distances: 0, cells: 0 }));
vi.mock('../../src/validation/edit-distance.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/validation/edit-distance.ts')>();
  return {
    editDistance(a: string, b: string) {
      hints.distances++;
      hints.cells += a.length * b.length;
      return original.editDistance(a, b);
    },
  };
});

const MAX_ROWS = 1000;
const schemas = schemasFor(MANIFEST, MAX_ROWS);
const NAMES = schemas.featureNames;
const REPORTED = 50;
/**
 * The most hint work an error response may take, whatever the body: one hint per reported field, each against
 * every feature name, for a key no longer than the longest name plus two (a longer one is no typo of any).
 */
const longest = Math.max(...NAMES.map((name) => name.length));
const MAX_HINT_CELLS = REPORTED * NAMES.length * (longest + 2) * longest;

function problemOf(parse: () => unknown): Problem {
  try {
    parse();
  } catch (error) {
    return error as Problem;
  }
  throw new Error('expected the body to be refused');
}
const predict = (body: unknown) => problemOf(() => parsePredictBody(MANIFEST, schemas, body));
const infer = (body: unknown) => problemOf(() => parseInferenceRequest(MANIFEST, schemas, body));

afterEach(() => {
  hints.distances = 0;
  hints.cells = 0;
  vi.restoreAllMocks();
});

/**
 * A request's cost must be bounded by its size with a small constant: an error response describes at most 50
 * fields, and nothing is worked out for the fields it does not describe. These bodies each blocked the event
 * loop for 0.2 to 2 s before (issue 18); the assertions are on the work done, not on time.
 */
describe('the cost of refusing a hostile body', () => {
  it('works out "did you mean" only for the unknown keys it reports, however many a body holds', () => {
    const keys = Object.fromEntries(Array.from({ length: 90_000 }, (_, i) => [`k${i}`, 1]));
    const problem = predict(keys);
    expect(problem.status).toBe(422);
    expect(problem.errors).toHaveLength(REPORTED);
    // 90,000 unknown keys and the 3 required features absent: all counted, 50 described.
    expect(problem.message).toBe('pregnant is required (and 90002 more)');
    expect(hints.distances).toBeLessThanOrEqual(REPORTED * NAMES.length);
    expect(hints.cells).toBeLessThanOrEqual(MAX_HINT_CELLS);
  });

  it('compares no more of a key than a typo could hold, and names a long one by its start', () => {
    const key = 'k'.repeat(1_000_000);
    const problem = predict({ ...VALID_ROW, [key]: 1 });
    expect(hints.cells).toBeLessThanOrEqual(MAX_HINT_CELLS);
    expect(problem.errors).toEqual([
      { pointer: '#', detail: `holds an unknown field "${'k'.repeat(64)}…" (1000000 characters)` },
    ]);
    expect(JSON.stringify(problem.body('id')).length).toBeLessThan(1000);
  });

  it('names a wrong string value by its start, however long it is', () => {
    const stringify = vi.spyOn(JSON, 'stringify');
    const problem = predict({ ...VALID_ROW, glucose: 'g'.repeat(1_000_000) });
    expect(problem.errors).toEqual([
      { pointer: '#/glucose', detail: `must be a number, not the string "${'g'.repeat(39)}` },
    ]);
    const stringified = stringify.mock.calls.map(([value]) => (typeof value === 'string' ? value.length : 0));
    expect(Math.max(...stringified)).toBeLessThanOrEqual(40);
  });

  it('describes the first invalid rows of a batch and only counts the fields of the rest', () => {
    const bad = { ...VALID_ROW, glucose: 'x', age: -1, mass: 'y', pregnant: 'z', glucoze: 1 };
    const rowParse = vi.spyOn(schemas.request.row, 'safeParse');
    const problem = predict({ instances: Array.from({ length: MAX_ROWS }, () => bad) });
    expect(problem.errors).toHaveLength(REPORTED);
    expect(problem.message).toBe(
      'instances[0].pregnant must be a number, not the string "z" (and 4999 more)',
    );
    // Five offending fields a row: ten rows fill the response.
    expect(rowParse.mock.calls.length).toBeLessThanOrEqual(REPORTED / 5);
    expect(hints.cells).toBeLessThanOrEqual(MAX_HINT_CELLS);
  });

  it('describes the first invalid rows of a v2 tensor and only counts the values of the rest', () => {
    const rowParse = vi.spyOn(schemas.request.row, 'safeParse');
    const problem = infer({
      inputs: [
        { name: 'features', shape: [MAX_ROWS, 8], datatype: 'FP32', data: Array(MAX_ROWS * 8).fill(-5) },
      ],
    });
    expect(problem.errors).toHaveLength(REPORTED);
    // Every feature of this model refuses -5.
    expect(problem.message).toMatch(/ \(and 7999 more\)$/);
    expect(rowParse.mock.calls.length).toBeLessThanOrEqual(REPORTED);
  });

  it('refuses a v2 tensor of more values than the row limit allows before looking at any of them', () => {
    const rowParse = vi.spyOn(schemas.request.row, 'safeParse');
    const tensor = (data: unknown[]) => ({
      inputs: [{ name: 'features', shape: [MAX_ROWS, 8], datatype: 'FP32', data }],
    });
    // 250,000 invalid values fit in 1 MB; zod's issue list for them overflowed the stack (a 500).
    for (const data of [Array(250_000).fill('x'), Array(100_000).fill([1, 2])]) {
      const problem = infer(tensor(data));
      expect(problem.status).toBe(413);
      expect(problem.message).toBe(
        `the input tensor holds ${data.flat().length} values; at most 8000 (1000 rows of 8) are allowed per request`,
      );
    }
    expect(rowParse).not.toHaveBeenCalled();
  });

  it.each([
    ['inputs', { inputs: Array(250_000).fill({}) }, 'must hold exactly one tensor, "features"'],
    ['outputs', { outputs: Array(250_000).fill({ name: 'label' }) }, 'must name at most 2 outputs'],
  ])('refuses a v2 request of many %s without parsing each', (field, body, detail) => {
    const problem = infer(body);
    expect(problem.status).toBe(422);
    expect(problem.errors).toEqual([{ pointer: `#/${field}`, detail }]);
  });
});
