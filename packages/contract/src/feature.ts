import { z } from 'zod';

/**
 * A feature name is the JSON key clients send and a CSV header cell: any text without control characters or
 * surrounding spaces, so `blood pressure` and `HbA1c-level` work as they are written in the data.
 */
export const FeatureNameSchema = z
  .string()
  .min(1, 'a feature name is not empty')
  .max(128, 'a feature name is at most 128 characters')
  .regex(
    /^[^\p{Cc}\s](?:[^\p{Cc}]*[^\p{Cc}\s])?$/u,
    'a feature name has no control characters or surrounding spaces',
  );

/** A number-valued feature, as clients send it and as the ONNX input tensor `features` takes it (by position). */
export const NumericFeatureSpecSchema = z.object({
  name: FeatureNameSchema,
  description: z.string(),
  unit: z.string().nullable(),
  dtype: z.enum(['integer', 'float']),
  /** A required feature must be present in every request; a nullable one may be null or absent and is imputed. */
  nullable: z.boolean(),
  /** The valid range: requests outside it are rejected. */
  min: z.number(),
  max: z.number(),
  /** A zero here is physiologically impossible and means "not measured": it is treated as missing. */
  zeroMeansMissing: z.boolean(),
});
export type NumericFeatureSpec = z.infer<typeof NumericFeatureSpecSchema>;

/** A category value: the exact text clients send (an empty string stands for missing in the ONNX input). */
export const CategorySchema = z
  .string()
  .min(1, 'a category is not empty')
  .max(200, 'a category is at most 200 characters')
  .regex(/^\S(?:.*\S)?$/su, 'a category has no surrounding spaces');

/**
 * A feature whose value is one of a fixed set of texts (`gender`, `admission_type`), sent as that text and fed
 * to the ONNX input tensor `categories` (strings, by position among the categorical features). Inside the graph
 * each category becomes a 0/1 column (one-hot); a missing value (`""`) and a category not in `categories` both
 * give all-zero columns, and the graph adds a "missing" column when the training data had enough missing values.
 * A server rejects a category not in `categories` (422) rather than letting the graph treat it as missing.
 */
export const CategoricalFeatureSpecSchema = z.object({
  name: FeatureNameSchema,
  description: z.string(),
  dtype: z.literal('category'),
  nullable: z.boolean(),
  /** Every category the model knows, in the order of its one-hot columns (sorted, as the trainer writes them). */
  categories: z.array(CategorySchema).min(1),
});
export type CategoricalFeatureSpec = z.infer<typeof CategoricalFeatureSpecSchema>;

/** One input feature of a model; `dtype` tells the kind. Manifests written before categories existed hold only numeric ones. */
export const FeatureSpecSchema = z.discriminatedUnion('dtype', [
  NumericFeatureSpecSchema,
  CategoricalFeatureSpecSchema,
]);
export type FeatureSpec = z.infer<typeof FeatureSpecSchema>;

export function isCategorical(feature: FeatureSpec): feature is CategoricalFeatureSpec {
  return feature.dtype === 'category';
}

/** A histogram of one numeric feature in the training data, the reference that drift is measured against. */
export const NumericReferenceDistributionSchema = z.object({
  feature: z.string(),
  /** Bin edges, ascending; bins are [e0,e1), [e1,e2), …, [e(n-1), en] with -∞/+∞ folded into the outer bins. */
  edges: z.array(z.number()).min(2),
  /** Proportion of non-missing training values per bin; sums to 1. */
  proportions: z.array(z.number().min(0).max(1)),
  /** Percentiles 0, 1, …, 100 of the non-missing training values (for the Kolmogorov–Smirnov statistic). */
  quantiles: z.array(z.number()).length(101),
  missingRate: z.number().min(0).max(1),
  count: z.number().int().nonnegative(),
});
export type NumericReferenceDistribution = z.infer<typeof NumericReferenceDistributionSchema>;

/** The category proportions of one categorical feature in the training data (drift: PSI over categories). */
export const CategoricalReferenceDistributionSchema = z.object({
  feature: z.string(),
  /** The feature's categories, in its `categories` order. */
  categories: z.array(z.string()).min(1),
  /** Proportion of non-missing training values per category; sums to 1. */
  proportions: z.array(z.number().min(0).max(1)),
  missingRate: z.number().min(0).max(1),
  count: z.number().int().nonnegative(),
});
export type CategoricalReferenceDistribution = z.infer<typeof CategoricalReferenceDistributionSchema>;

export const ReferenceDistributionSchema = z.union([
  NumericReferenceDistributionSchema,
  CategoricalReferenceDistributionSchema,
]);
export type ReferenceDistribution = z.infer<typeof ReferenceDistributionSchema>;
