import type { FeatureSpec, ModelManifest } from '@glyco/contract';
import fc from 'fast-check';
import { MANIFEST } from './fixtures.ts';

const ABSENT = Symbol('absent');

/** Valid values of a feature, including null and the zero that means "not measured" where they are allowed. */
function validValue(feature: FeatureSpec) {
  const missing = feature.nullable ? [null, ABSENT] : [];
  if (feature.dtype === 'category') return fc.constantFrom(...feature.categories, ...missing);
  const { min, max, zeroMeansMissing } = feature;
  const inRange =
    feature.dtype === 'integer'
      ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
      : fc.double({ min, max, noNaN: true });
  const extra = [...missing, ...(zeroMeansMissing ? [0] : [])];
  return extra.length > 0 ? fc.oneof(inRange, fc.constantFrom(...extra)) : inRange;
}

/**
 * Values around every rule of a feature: numbers at the bounds and just past them, fractions; texts that are
 * almost a category (another case, spaces, empty); wrong types, null, absence.
 */
function edgeValue(feature: FeatureSpec) {
  const wrong = fc.constantFrom(null, true, [], {}, [1], ABSENT);
  if (feature.dtype === 'category') {
    const [first = 'x'] = feature.categories;
    return fc.oneof(fc.constantFrom(first.toLowerCase(), ` ${first}`, '', 'Other', 0, 1), wrong);
  }
  const { min, max } = feature;
  return fc.oneof(
    fc.constantFrom(min, max, min - 1e-9, max + 1e-9, 0, -0, 0.5, min + 0.5, 2 ** 53, -1, max + 1, '1'),
    wrong,
  );
}

/** Rows as a request body brings them: through JSON ("__proto__" becomes an own key, -0 becomes 0). */
function rowOf(generated: Record<string, unknown>, unknownKey?: string): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(generated)) if (value !== ABSENT) row[key] = value;
  return JSON.parse(JSON.stringify(unknownKey ? { ...row, [unknownKey]: 1 } : row));
}

/** Rows of a model that its schema accepts. */
export function validRowOf(manifest: ModelManifest) {
  return fc
    .record(Object.fromEntries(manifest.features.map((f) => [f.name, validValue(f)])))
    .map((generated) => rowOf(generated));
}

/** Mostly valid rows of a model, each feature now and then at an edge of its rules; sometimes an unknown key. */
export function nearlyValidRowOf(manifest: ModelManifest) {
  return fc
    .tuple(
      fc.record(
        Object.fromEntries(
          manifest.features.map((f) => [
            f.name,
            fc.oneof({ arbitrary: validValue(f), weight: 30 }, { arbitrary: edgeValue(f), weight: 1 }),
          ]),
        ),
      ),
      fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 9 },
        { arbitrary: fc.constantFrom('glucoze', 'extra', '__proto__', 'constructor'), weight: 1 },
      ),
    )
    .map(([generated, unknownKey]) => rowOf(generated, unknownKey));
}

/** Rows of the bundled model that its schema accepts. */
export const validRow = validRowOf(MANIFEST);

/** Mostly valid rows of the bundled model. */
export const nearlyValidRow = nearlyValidRowOf(MANIFEST);
