import fc from 'fast-check';
import { MANIFEST } from './fixtures.ts';

type Feature = (typeof MANIFEST.features)[number];
const ABSENT = Symbol('absent');

/** Valid values of a feature, including null and the zero that means "not measured" where they are allowed. */
function validValue(feature: Feature) {
  const { min, max, nullable, zeroMeansMissing } = feature;
  const inRange =
    feature.dtype === 'integer'
      ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
      : fc.double({ min, max, noNaN: true });
  const extra = [...(nullable ? [null, ABSENT] : []), ...(zeroMeansMissing ? [0] : [])];
  return extra.length > 0 ? fc.oneof(inRange, fc.constantFrom(...extra)) : inRange;
}

/** Values around every rule of a feature: bounds and just past them, fractions, wrong types, null, absence. */
function edgeValue(feature: Feature) {
  const { min, max } = feature;
  return fc.oneof(
    fc.constantFrom(min, max, min - 1e-9, max + 1e-9, 0, -0, 0.5, min + 0.5, 2 ** 53, -1, max + 1),
    fc.constantFrom(null, '1', true, [], {}, [1], ABSENT),
  );
}

/** Rows as a request body brings them: through JSON ("__proto__" becomes an own key, -0 becomes 0). */
function rowOf(generated: Record<string, unknown>, unknownKey?: string): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(generated)) if (value !== ABSENT) row[key] = value;
  return JSON.parse(JSON.stringify(unknownKey ? { ...row, [unknownKey]: 1 } : row));
}

/** Rows of the bundled model that its schema accepts. */
export const validRow = fc
  .record(Object.fromEntries(MANIFEST.features.map((f) => [f.name, validValue(f)])))
  .map((generated) => rowOf(generated));

/** Mostly valid rows, each feature now and then at an edge of its rules; sometimes an unknown key. */
export const nearlyValidRow = fc
  .tuple(
    fc.record(
      Object.fromEntries(
        MANIFEST.features.map((f) => [
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
