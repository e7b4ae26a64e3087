import type { ModelManifest } from '@glyco/contract';
import { type FieldError, fieldError, Problem } from '../http/problem.ts';
import { FieldErrors, invalidField } from './issues.ts';
import type { ModelSchemas } from './model-schemas.ts';
import { type PredictRows, parsePredictBody } from './predict-body.ts';

type Path = readonly PropertyKey[];

/**
 * Rows sent in some layout other than `/predict`'s objects (positional lists, MLflow's data frames, CSV), turned
 * into feature objects, with the way back to where each value sits in the body for the errors.
 */
export interface LaidOutRows {
  /** One feature object per row (or, for a row that could not be one, the value as sent). */
  rows: unknown[];
  /** Where row `row` is in the body, or its value for `key` (a feature, or a key that is not one). */
  locate(row: number, key?: string): Path;
}

/** The path segments of a pointer as `fieldError` writes it: RFC 6901, in its URI fragment form. */
function pointerSegments(pointer: string): string[] {
  if (pointer === '#') return [];
  return pointer
    .slice(2)
    .split('/')
    .map((segment) => decodeURIComponent(segment).replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** A `/predict` error about `#/instances/<row>[/<key>]`, told where the value really is in the body. */
function relocated(error: FieldError, layout: LaidOutRows): { path: Path; detail: string } {
  const [instances, row, key] = pointerSegments(error.pointer);
  if (instances !== 'instances' || row === undefined)
    return { path: layout.locate(0).slice(0, 1), detail: error.detail };
  const path = layout.locate(Number(row), key);
  // A value found by its position (a column index) is named: "instances[1][7] (age) must be at most 120".
  const named = key !== undefined && !path.includes(key);
  return { path, detail: named ? `(${key}) ${error.detail}` : error.detail };
}

/**
 * The Problem `/predict`'s validation gave, its fields named where the layout put them. A layout may name one
 * place for what every row repeats (a column the model does not know): it is reported once.
 */
function relocate(problem: Problem, layout: LaidOutRows): Problem {
  if (problem.kind !== 'invalid-input' || !problem.errors) return problem;
  const unreported =
    Number(/\(and (\d+) more\)$/.exec(problem.message)?.[1] ?? 0) + 1 - problem.errors.length;
  const fields = new FieldErrors();
  const seen = new Set<string>();
  for (const error of problem.errors) {
    const { path, detail } = relocated(error, layout);
    const place = `${fieldError(path, '').pointer} ${detail}`;
    if (!seen.has(place)) fields.add(path, detail);
    seen.add(place);
  }
  fields.countMore(Math.max(0, unreported));
  return fields.problem();
}

/**
 * Validates rows laid out some other way exactly as `/predict` validates `instances` (the same checks, the same
 * messages, the same logged inputs), with every error's pointer into the body as the client sent it.
 */
export function parseLaidOutRows(manifest: ModelManifest, schemas: ModelSchemas, layout: LaidOutRows) {
  try {
    return parsePredictBody(manifest, schemas, { instances: layout.rows });
  } catch (error) {
    throw error instanceof Problem ? relocate(error, layout) : error;
  }
}

/** The detail for a positional row of the wrong length. */
export function positionalDetail(featureNames: readonly string[]): string {
  return `must hold ${featureNames.length} values, the features in the model's order: ${featureNames.join(', ')}`;
}

/**
 * A positional row (values in manifest feature order) as a feature object, or undefined when its length is
 * not the feature count.
 */
export function positionalRow(featureNames: readonly string[], values: readonly unknown[]) {
  if (values.length !== featureNames.length) return undefined;
  const row: Record<string, unknown> = {};
  for (let f = 0; f < featureNames.length; f++) row[featureNames[f]!] = values[f];
  return row;
}

/** Where a positional row at `at` holds feature `key`: its index in the model's order. */
function positionalPath(featureNames: readonly string[], at: Path, key: string): Path {
  const index = featureNames.indexOf(key);
  return [...at, index >= 0 ? index : key];
}

/**
 * Rows that are feature objects or positional lists, at `at` in the body: each list becomes an object, and a
 * list of the wrong length is refused with every other one.
 */
export function objectOrPositionalRows(
  featureNames: readonly string[],
  rows: readonly unknown[],
  at: Path,
): LaidOutRows {
  const wrongLength = new FieldErrors();
  const objects = rows.map((row, r) => {
    if (!Array.isArray(row)) return row;
    const object = positionalRow(featureNames, row);
    if (!object) wrongLength.add([...at, r], () => positionalDetail(featureNames));
    return object;
  });
  if (wrongLength.count > 0) throw wrongLength.problem();
  return {
    rows: objects,
    locate(r, key) {
      if (key === undefined) return [...at, r];
      return Array.isArray(rows[r]) ? positionalPath(featureNames, [...at, r], key) : [...at, r, key];
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A `/predict` body: one flat object of features, `{"features": [...]}` (one row, positional, in manifest
 * order, as many Lambda functions take it), or `{"instances": [...]}` of objects or positional lists.
 */
export function parsePredictRequest(
  manifest: ModelManifest,
  schemas: ModelSchemas,
  body: unknown,
): PredictRows {
  if (!isObject(body)) return parsePredictBody(manifest, schemas, body);
  const keys = Object.keys(body);
  if (keys.length === 1 && keys[0] === 'features' && Array.isArray(body.features)) {
    const { featureNames } = schemas;
    const row = positionalRow(featureNames, body.features);
    if (!row) throw invalidField(['features'], positionalDetail(featureNames));
    const single: LaidOutRows = {
      rows: [row],
      locate: (_row, key) =>
        key === undefined ? ['features'] : positionalPath(featureNames, ['features'], key),
    };
    return { ...parseLaidOutRows(manifest, schemas, single), batch: false };
  }
  const { instances } = body;
  if (keys.length === 1 && Array.isArray(instances) && instances.some(Array.isArray)) {
    checkRowCount(instances.length, schemas.request.maxInstances, 'instances');
    return parseLaidOutRows(
      manifest,
      schemas,
      objectOrPositionalRows(schemas.featureNames, instances, ['instances']),
    );
  }
  return parsePredictBody(manifest, schemas, body);
}

/** 413 for more rows than a request may hold, before any of them is looked at. */
export function checkRowCount(rows: number, maxInstances: number, where: string): void {
  if (rows > maxInstances) {
    throw new Problem(
      'content-too-large',
      `${where} holds ${rows} rows; at most ${maxInstances} are allowed per request`,
    );
  }
}
