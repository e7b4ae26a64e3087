import type { ModelManifest } from '@glyco/contract';
import { Problem } from '../http/problem.ts';
import type { ModelInput } from '../model/inference-engine.ts';
import type { RowEncoder } from '../model/row-encoder.ts';
import { fieldsFromIssues, invalidInput } from './issues.ts';
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
    throw invalidInput([
      { path: [], detail: 'must be a JSON object of features, or {"instances": [ {...}, ... ]}' },
    ]);
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
  const result = batch ? schemas.request.instances.safeParse(body) : schemas.request.row.safeParse(body);
  if (result.success) throw new Error('the compiled row checks rejected a body the request schema accepts');
  throw invalidInput(
    fieldsFromIssues(result.error.issues, (path) =>
      path.length === 0 && batch ? ['instances'] : schemas.featureNames,
    ),
  );
}
