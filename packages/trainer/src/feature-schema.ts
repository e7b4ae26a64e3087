import { existsSync, readFileSync } from 'node:fs';
import { type FeatureSpec, FeatureSpecSchema } from '@glyco/contract';
import { z } from 'zod';
import { TrainingDataError } from './errors.ts';

/**
 * The feature metadata the CSV cannot say (description, unit, valid range, integer, nullable, zero means missing),
 * kept in `<data>.schema.json` next to the data. Keys are column names; columns it leaves out are inferred.
 */
const FeatureSchemaFileSchema = z.strictObject({
  $comment: z.string().optional(),
  features: z.record(z.string(), FeatureSpecSchema.omit({ name: true }).strict()),
});
export type FeatureMetadata = Omit<FeatureSpec, 'name'>;
export type FeatureSchemaFile = Record<string, FeatureMetadata>;

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
    if (feature.min > feature.max) {
      throw new TrainingDataError(
        `schema file ${path}: features.${name}: min ${feature.min} > max ${feature.max}`,
      );
    }
  }
  return result.data.features;
}
