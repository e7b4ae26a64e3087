import {
  type CategoricalFeatureSpec,
  type FeatureSpec,
  isCategorical,
  type NumericFeatureSpec,
} from '@glyco/contract';
import { z } from 'zod';

/**
 * One validated input row: feature name → value (a number, or a categorical feature's category); null or absent
 * means missing (nullable features only).
 */
export type FeatureRow = Readonly<Record<string, number | string | null | undefined>>;

/**
 * The zod schemas that validate prediction requests. They are built from the manifest's feature specs, and the
 * OpenAPI document is generated from these same objects, so the docs cannot drift from what is enforced.
 */
export interface RequestSchemas {
  row: z.ZodType<FeatureRow>;
  instances: z.ZodType<{ instances: FeatureRow[] }>;
  /** `instances` with its rows left to `row`, one by one: validation stops describing rows at the error cap. */
  instancesEnvelope: z.ZodType<{ instances: unknown[] }>;
  maxInstances: number;
}

/** Names a wrong value by its type, and a string by its start: at most 40 characters of it are looked at. */
function describeInput(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  if (typeof input !== 'string') return `a ${typeof input}`;
  return `the string ${JSON.stringify(input.slice(0, 40)).slice(0, 40)}`;
}

/** The message for a value of the wrong type, including a missing or null required value. */
function typeError(issue: { input?: unknown }): string {
  if (issue.input === undefined) return 'is required';
  if (issue.input === null) return 'is required and must not be null';
  // JSON's 1e400 parses as Infinity: a number, but not one a feature can hold.
  if (typeof issue.input === 'number') return 'must be a finite number';
  return `must be a number, not ${describeInput(issue.input)}`;
}

function rangeText(value: number, unit: string | null): string {
  return unit ? `${value} ${unit}` : String(value);
}

function numericSchema(feature: NumericFeatureSpec): z.ZodType<number | null | undefined> {
  const number = z.number({ error: typeError });
  const bounded = number
    .min(feature.min, `must be at least ${rangeText(feature.min, feature.unit)}`)
    .max(feature.max, `must be at most ${rangeText(feature.max, feature.unit)}`);
  // The range first: of 1e20 for an age, "must be at most 120 years" says more than "must be a whole number".
  const ranged = feature.dtype === 'integer' ? bounded.int('must be a whole number') : bounded;
  const value = feature.zeroMeansMissing
    ? z.union([z.literal(0).meta({ description: '0 means "not measured" and is imputed' }), ranged], {
        error: typeError,
      })
    : ranged;
  const description = [
    feature.description,
    feature.unit ? `(${feature.unit})` : '',
    feature.nullable ? 'Optional: null or absent means not measured, and the model imputes it.' : 'Required.',
  ]
    .filter(Boolean)
    .join(' ');
  return (feature.nullable ? value.nullable().optional() : value).meta({ description });
}

/** A category list in a message is cut here: a feature may have up to a hundred. */
const LISTED_CATEGORIES = 20;

/** The categories a feature takes, as a message lists them. */
export function categoryList(categories: readonly string[]): string {
  const listed = categories.slice(0, LISTED_CATEGORIES).map((category) => JSON.stringify(category));
  const more = categories.length - listed.length;
  return `${listed.join(', ')}${more > 0 ? ` (and ${more} more, listed in the model's manifest)` : ''}`;
}

/** The message for a value that is not one of the feature's categories, with the likely intended one. */
function categoryError(feature: CategoricalFeatureSpec, input: unknown): string {
  if (input === undefined) return 'is required';
  if (input === null) return 'is required and must not be null';
  const expected = `must be one of ${categoryList(feature.categories)}`;
  if (typeof input !== 'string') return `${expected} (a text), not ${describeInput(input)}`;
  const folded = input.trim().toLowerCase();
  const intended = feature.categories.find((category) => category.toLowerCase() === folded);
  return intended
    ? `${expected}; did you mean ${JSON.stringify(intended)}?`
    : `${expected}, not ${describeInput(input)}`;
}

function categoricalSchema(feature: CategoricalFeatureSpec): z.ZodType<string | null | undefined> {
  const value = z.enum(feature.categories as [string, ...string[]], {
    error: (issue) => categoryError(feature, issue.input),
  });
  const description = [
    feature.description,
    `One of ${feature.categories.length} categories.`,
    feature.nullable ? 'Optional: null or absent means unknown.' : 'Required.',
  ]
    .filter(Boolean)
    .join(' ');
  return (feature.nullable ? value.nullable().optional() : value).meta({ description });
}

function featureSchema(feature: FeatureSpec): z.ZodType<number | string | null | undefined> {
  return isCategorical(feature) ? categoricalSchema(feature) : numericSchema(feature);
}

export function buildRequestSchemas(features: readonly FeatureSpec[], maxInstances: number): RequestSchemas {
  const shape = Object.fromEntries(features.map((feature) => [feature.name, featureSchema(feature)]));
  const row = z
    .strictObject(shape, {
      error: (issue) => (issue.code === 'invalid_type' ? 'must be a JSON object' : undefined),
    })
    .meta({ description: 'One row of features, by name.' }) as z.ZodType<FeatureRow>;
  const envelope = <Row extends z.ZodType>(rows: Row) =>
    z.strictObject({
      instances: z
        .array(rows, { error: 'must be an array of feature objects' })
        .min(1, 'must hold at least one row')
        .max(maxInstances, `must hold at most ${maxInstances} rows`),
    });
  const instances = envelope(row).meta({ description: 'Several rows at once.' });
  return { row, instances, instancesEnvelope: envelope(z.unknown()), maxInstances };
}
