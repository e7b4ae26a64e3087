import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { schemasFor } from '../../src/validation/model-schemas.ts';
import { nearlyValidRow } from '../support/arbitraries.ts';
import { MANIFEST } from '../support/fixtures.ts';

const { encoder, request } = schemasFor(MANIFEST, 1000);

describe('compiled row checks', () => {
  it('accept exactly the rows the zod request schema accepts, and encode them as it would', () => {
    fc.assert(
      fc.property(nearlyValidRow, (row: unknown) => {
        const values = encoder.allocate(1);
        const accepted = encoder.encodeObject(row, values, 0);
        const parsed = request.row.safeParse(row);
        expect(accepted).toBe(parsed.success);
        if (!parsed.success) return;
        MANIFEST.features.forEach((feature, f) => {
          const value = parsed.data[feature.name];
          const missing = value === null || value === undefined || (feature.zeroMeansMissing && value === 0);
          expect(values[f]).toBe(missing ? Number.NaN : Math.fround(value));
        });
      }),
      { numRuns: 5000 },
    );
  });

  it('count as many invalid features in a row, or in its values as a tensor row, as the zod schema names', () => {
    const names = MANIFEST.features.map((feature) => feature.name);
    fc.assert(
      fc.property(nearlyValidRow, (row: Record<string, unknown>) => {
        const issues = (request.row.safeParse(row).error?.issues ?? []).filter(
          (issue) => issue.code !== 'unrecognized_keys',
        );
        const invalidFeatures = new Set(issues.map((issue) => issue.path[0])).size;
        expect(encoder.countInvalidFeatures(row)).toBe(invalidFeatures);
        const values = names.map((name) => row[name]);
        expect(encoder.countInvalidValues(values, 0)).toBe(invalidFeatures);
      }),
      { numRuns: 5000 },
    );
  });

  it('are exercised on both sides: the generated rows are neither all valid nor all invalid', () => {
    const sample = fc.sample(nearlyValidRow, { numRuns: 2000, seed: 7 });
    const valid = sample.filter((row) => request.row.safeParse(row).success).length;
    expect(valid).toBeGreaterThan(500);
    expect(valid).toBeLessThan(1900);
  });
});
