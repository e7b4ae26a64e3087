import type { ModelManifest } from '@glyco/contract';
import { Problem } from '../http/problem.ts';
import type { ModelInput } from '../model/inference-engine.ts';
import type { RowEncoder } from '../model/row-encoder.ts';
import { FieldErrors, invalidField } from './issues.ts';
import type { ModelSchemas } from './model-schemas.ts';
import { loggedInputs, type ParsedRows } from './parsed-rows.ts';

/** A validated `/predict` body: one flat row, or `instances`. */
export interface PredictRows extends ParsedRows {
  /** True for `{"instances": [...]}`, which is answered with a `predictions` array. */
  batch: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function encodeAll(encoder: RowEncoder, rows: readonly unknown[]): ModelInput | undefined {
  const input = encoder.allocate(rows.length);
  for (let r = 0; r < rows.length; r++) if (!encoder.encodeObject(rows[r], input, r)) return undefined;
  return input;
}

/**
 * Validates a parsed `/predict` body against the model's schemas. Valid rows are encoded by the compiled
 * checks; a body they reject is parsed by zod for a Problem naming every bad field.
 */
export function parsePredictBody(manifest: ModelManifest, schemas: ModelSchemas, body: unknown): PredictRows {
  if (!isObject(body)) {
    throw invalidField([], 'must be a JSON object of features, or {"instances": [ {...}, ... ]}');
  }
  const batch = Object.hasOwn(body, 'instances');
  const rows = batch ? body.instances : [body];
  const { maxInstances } = schemas.request;
  if (Array.isArray(rows) && rows.length > maxInstances) {
    throw new Problem(
      'content-too-large',
      `instances holds ${rows.length} rows; at most ${maxInstances} are allowed per request`,
    );
  }
  if (Array.isArray(rows) && rows.length > 0 && (!batch || Object.keys(body).length === 1)) {
    const input = encodeAll(schemas.encoder, rows);
    if (input) {
      return {
        count: rows.length,
        input,
        batch,
        inputsOf: (row) => loggedInputs(manifest.features, rows[row]),
      };
    }
  }
  const fields = new FieldErrors();
  if (batch) describeBatch(fields, schemas, body);
  else describeRow(fields, schemas, body, []);
  if (fields.count === 0)
    throw new Error('the compiled row checks rejected a body the request schema accepts');
  throw fields.problem();
}

/** The offending fields of `{"instances": [...]}`: of the object itself, then of each of its rows. */
function describeBatch(fields: FieldErrors, schemas: ModelSchemas, body: Record<string, unknown>): void {
  const envelope = schemas.request.instancesEnvelope.safeParse(body);
  if (envelope.error) fields.addIssues(envelope.error.issues, () => ['instances']);
  const rows = body.instances;
  if (!Array.isArray(rows)) return;
  for (const [r, row] of rows.entries()) describeRow(fields, schemas, row, ['instances', r]);
}

/**
 * The offending fields of one row, which sits at `at` in the body. Its keys are looked at once: a body of
 * 90,000 unknown keys costs one pass over them. zod describes the row's features (only those: its work is
 * bounded by the model, not by the body), and the first unknown keys are named, until the response holds all
 * it will report; after that the row's offending fields are only counted.
 */
function describeRow(fields: FieldErrors, schemas: ModelSchemas, row: unknown, at: PropertyKey[]): void {
  const { encoder, featureNames, isFeature, request } = schemas;
  if (!isObject(row)) {
    fields.addIssues(request.row.safeParse(row).error?.issues ?? [], () => featureNames, at);
    return;
  }
  const unknownKeys = Object.keys(row).filter((key) => !isFeature.has(key));
  const features: Record<string, unknown> = Object.create(null);
  for (const name of featureNames) if (Object.hasOwn(row, name)) features[name] = row[name];
  const invalidFeatures = encoder.countInvalidFeatures(features);
  if (fields.full) {
    fields.countMore(unknownKeys.length + invalidFeatures);
    return;
  }
  if (invalidFeatures > 0) {
    fields.addIssues(request.row.safeParse(features).error?.issues ?? [], () => featureNames, at);
  }
  fields.addUnknownKeys(at, unknownKeys, featureNames);
}
