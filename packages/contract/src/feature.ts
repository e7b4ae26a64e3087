import { z } from 'zod';

/** One input feature of a model, as clients send it and as the ONNX graph expects it (by position). */
export const FeatureSpecSchema = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a feature name is an identifier'),
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
export type FeatureSpec = z.infer<typeof FeatureSpecSchema>;

/** A histogram of one feature in the training data, the reference that drift is measured against. */
export const ReferenceDistributionSchema = z.object({
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
export type ReferenceDistribution = z.infer<typeof ReferenceDistributionSchema>;
