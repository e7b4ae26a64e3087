import type { ModelManifest } from '@glyco/contract';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { schemasFor } from '../../src/validation/model-schemas.ts';
import { nearlyValidRowOf } from '../support/arbitraries.ts';
import { MANIFEST } from '../support/fixtures.ts';
import { READMISSIONS } from '../support/task-models.ts';

describe.each([
  ['numbers only (the bundled model)', MANIFEST as ModelManifest],
  ['numbers and categories, names with spaces and hyphens', READMISSIONS],
])('compiled row checks on %s', (_model, manifest) => {
  const { encoder, request } = schemasFor(manifest, 1000);
  const nearlyValidRow = nearlyValidRowOf(manifest);

  it('accept exactly the rows the zod request schema accepts, and encode them as it would', () => {
    fc.assert(
      fc.property(nearlyValidRow, (row: unknown) => {
        const input = encoder.allocate(1);
        const accepted = encoder.encodeObject(row, input, 0);
        const parsed = request.row.safeParse(row);
        expect(accepted).toBe(parsed.success);
        if (!parsed.success) return;
        encoder.numericFeatures.forEach((feature, f) => {
          const value = parsed.data[feature.name];
          const missing = typeof value !== 'number' || (feature.zeroMeansMissing && value === 0);
          expect(input.numeric[f]).toBe(missing ? Number.NaN : Math.fround(value));
        });
        encoder.categoricalFeatures.forEach((feature, c) => {
          expect(input.categorical![c]).toBe(parsed.data[feature.name] ?? '');
        });
      }),
      { numRuns: 5000 },
    );
  });

  it('count as many invalid features in a row, or in its values as a tensor row, as the zod schema names', () => {
    const numericNames = encoder.numericFeatures.map((feature) => feature.name);
    const categoricalNames = encoder.categoricalFeatures.map((feature) => feature.name);
    fc.assert(
      fc.property(nearlyValidRow, (row: Record<string, unknown>) => {
        const issues = (request.row.safeParse(row).error?.issues ?? []).filter(
          (issue) => issue.code !== 'unrecognized_keys',
        );
        const invalidFeatures = new Set(issues.map((issue) => issue.path[0])).size;
        expect(encoder.countInvalidFeatures(row)).toBe(invalidFeatures);
        const numeric = numericNames.map((name) => row[name]);
        const categorical = categoricalNames.map((name) => row[name]);
        expect(encoder.countInvalidTensorRow(numeric, categorical, 0)).toBe(invalidFeatures);
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
