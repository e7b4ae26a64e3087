import { existsSync, readFileSync } from 'node:fs';
import { CategoricalFeatureSpecSchema, NumericFeatureSpecSchema } from '@glyco/contract';
import { z } from 'zod';
import { TrainingDataError } from './errors.ts';

const NumericMetadataSchema = NumericFeatureSpecSchema.omit({ name: true }).strict();
/** Categories may be left out: the data's own then become the feature's. */
const CategoricalMetadataSchema = CategoricalFeatureSpecSchema.omit({ name: true })
  .extend({ categories: CategoricalFeatureSpecSchema.shape.categories.optional() })
  .strict();

/**
 * The metadata the CSV cannot say, kept in `<data>.schema.json` next to the data: per feature its description,
 * unit, valid range, integer or float, nullable, zero means missing (numeric), or `"dtype": "category"` with
 * its categories; and for the target its description and unit. Columns it leaves out are inferred.
 */
const FeatureSchemaFileSchema = z.strictObject({
  $comment: z.string().optional(),
  features: z.record(
    z.string(),
    z.discriminatedUnion('dtype', [NumericMetadataSchema, CategoricalMetadataSchema]),
  ),
  target: z.strictObject({ description: z.string(), unit: z.string().nullable() }).optional(),
});
export type FeatureMetadata =
  | z.infer<typeof NumericMetadataSchema>
  | z.infer<typeof CategoricalMetadataSchema>;
export type TargetMetadata = { description: string; unit: string | null };
export type FeatureSchemaFile = { features: Record<string, FeatureMetadata>; target?: TargetMetadata };

/** `data/x.csv` → `data/x.schema.json`. */
export function schemaPathBeside(csvPath: string): string {
  return `${csvPath.replace(/\.csv$/i, '')}.schema.json`;
}

/** Reads the schema file; `undefined` when no path was given and none sits beside the data. */
export function readFeatureSchema(path: string, explicit: boolean): FeatureSchemaFile | undefined {
  if (!existsSync(path)) {
    if (explicit) throw new TrainingDataError(`schema file ${path} does not exist`);
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new TrainingDataError(`schema file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const result = FeatureSchemaFileSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new TrainingDataError(`schema file ${path}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  for (const [name, feature] of Object.entries(result.data.features)) {
    if (feature.dtype !== 'category' && feature.min > feature.max) {
      throw new TrainingDataError(
        `schema file ${path}: features.${name}: min ${feature.min} > max ${feature.max}`,
      );
    }
    const categories = feature.dtype === 'category' ? (feature.categories ?? []) : [];
    const repeated = categories.find((category, index) => categories.indexOf(category) !== index);
    if (repeated !== undefined) {
      throw new TrainingDataError(
        `schema file ${path}: features.${name}: category "${repeated}" appears twice`,
      );
    }
  }
  const { features, target } = result.data;
  return target ? { features, target } : { features };
}
