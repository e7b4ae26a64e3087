import {
  type CategoricalFeatureSpec,
  FeatureNameSchema,
  type FeatureSpec,
  type NumericFeatureSpec,
  type Task,
} from '@glyco/contract';
import { TrainingDataError } from './errors.ts';
import type { FeatureSchemaFile } from './feature-schema.ts';
import { sortLabels } from './labels.ts';
import type { RawColumn, RawTable } from './table.ts';
import { inferTarget, type Target } from './target.ts';

/** A feature's values: numeric ones as numbers (NaN missing), categorical ones as category indices (-1 missing). */
export type FeatureColumn = Float64Array | Int32Array;

export type Dataset = {
  task: Task;
  /** Whether the task was inferred from the target column (false: given with --task). */
  taskInferred: boolean;
  target: Target;
  /** The target per row: the class index into `target.classLabels`, or the value (regression). */
  y: Float64Array;
  features: FeatureSpec[];
  /**
   * One column per feature, over shared memory (worker threads read it without a copy). Numeric values are
   * rounded to float32, because that is what the ONNX model receives: training on exactly those values makes the
   * exported model agree with the trainer.
   */
  columns: FeatureColumn[];
  /** Features whose metadata was inferred from the data because the schema file did not declare them. */
  inferredFeatures: string[];
  rows: number;
};

export type DatasetOptions = {
  target: string;
  /** Undefined: inferred from the target column. */
  task?: Task | undefined;
  /** Binary only; undefined: inferred when the labels make it obvious. */
  positive?: string | undefined;
  schema: FeatureSchemaFile | undefined;
};

/** Categories one feature may have: each becomes a column of the model. */
export const MAX_CATEGORIES = 100;

/** Turns a read CSV into a validated dataset; every bad cell is reported with its line and column. */
export function buildDataset(table: RawTable, options: DatasetOptions): Dataset {
  const { header, rows } = table;
  if (rows === 0) throw new TrainingDataError('the data file has a header but no data rows');
  const targetIndex = header.indexOf(options.target);
  if (targetIndex < 0) {
    throw new TrainingDataError(`target column "${options.target}" not found; columns: ${header.join(', ')}`);
  }
  const declared = options.schema?.features ?? {};
  for (const name of Object.keys(declared)) {
    if (!header.includes(name))
      throw new TrainingDataError(`the schema declares "${name}", which the data lacks`);
    if (name === options.target) {
      throw new TrainingDataError(
        `the schema declares the target "${name}" as a feature; describe it under "target"`,
      );
    }
  }
  const { target, y, task, taskInferred } = inferTarget(table, table.columns[targetIndex]!, {
    ...options,
    metadata: options.schema?.target,
  });
  const featureColumns = table.columns.filter((_, index) => index !== targetIndex);
  if (featureColumns.length === 0)
    throw new TrainingDataError('the data has no feature columns besides the target');
  for (const { name } of featureColumns) {
    const problem = FeatureNameSchema.safeParse(name).error?.issues[0]?.message;
    if (problem) throw new TrainingDataError(`column "${name}" is not a usable feature name: ${problem}`);
  }
  const inferredFeatures: string[] = [];
  const features: FeatureSpec[] = [];
  const columns: FeatureColumn[] = [];
  for (const column of featureColumns) {
    const metadata = declared[column.name];
    if (!metadata) inferredFeatures.push(column.name);
    const built =
      metadata?.dtype === 'category'
        ? categoricalFeature(column, table.lines, metadata)
        : !metadata && isTextColumn(column)
          ? categoricalFeature(column, table.lines, undefined)
          : numericFeature(column, table.lines, metadata);
    features.push(built.feature);
    columns.push(built.values);
  }
  return { task, taskInferred, target, y, features, columns, inferredFeatures, rows };
}

/** A column none of whose cells is a number holds categories (one with numbers and texts is an error). */
function isTextColumn(column: RawColumn): boolean {
  return column.firstText !== undefined && column.numbers.every(Number.isNaN);
}

function numericFeature(
  column: RawColumn,
  lines: Int32Array,
  declared: Omit<NumericFeatureSpec, 'name'> | undefined,
): { feature: NumericFeatureSpec; values: Float64Array } {
  const { name, numbers, firstText } = column;
  if (firstText) {
    throw new TrainingDataError(
      `line ${firstText.line}, column "${name}": "${firstText.text}" is not a number`,
    );
  }
  const feature: NumericFeatureSpec = { name, ...(declared ?? inferNumericMetadata(column)) };
  const values = new Float64Array(new SharedArrayBuffer(numbers.length * 8));
  for (let row = 0; row < numbers.length; row++) {
    const raw = numbers[row]!;
    const where = () => `line ${lines[row]}, column "${name}"`;
    if (raw === Number.POSITIVE_INFINITY || raw === Number.NEGATIVE_INFINITY) {
      throw new TrainingDataError(`${where()}: ${cellText(column, row)} is too large`);
    }
    const value = feature.zeroMeansMissing && raw === 0 ? Number.NaN : raw;
    if (Number.isNaN(value)) {
      if (!feature.nullable) throw new TrainingDataError(`${where()}: missing, but the feature is required`);
      values[row] = value;
      continue;
    }
    if (feature.dtype === 'integer' && !Number.isInteger(value)) {
      throw new TrainingDataError(`${where()}: ${value} is not an integer`);
    }
    if (value < feature.min || value > feature.max) {
      throw new TrainingDataError(
        `${where()}: ${value} is outside the valid range ${feature.min}–${feature.max}`,
      );
    }
    values[row] = Math.fround(value);
  }
  return { feature, values };
}

/** The cell as written, for messages about numbers too large to hold. */
function cellText(column: RawColumn, row: number): string {
  const code = column.texts?.codes[row];
  return code === undefined || code < 0 ? String(column.numbers[row]) : column.texts!.values[code]!;
}

/**
 * Metadata for a numeric column the schema file does not declare. The valid range is the data's range widened by
 * its span on each side (from 0 for non-negative data), so serving does not reject plausible values never seen here.
 */
function inferNumericMetadata(column: RawColumn): Omit<NumericFeatureSpec, 'name'> {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  let integer = true;
  for (const value of column.numbers) {
    if (Number.isNaN(value)) continue;
    if (value < low) low = value;
    if (value > high) high = value;
    if (integer && !Number.isInteger(value)) integer = false;
  }
  if (low > high) throw new TrainingDataError(`column "${column.name}" has no values`);
  const span = high - low || Math.abs(high) || 1;
  return {
    description: column.name,
    unit: null,
    dtype: integer ? 'integer' : 'float',
    nullable: column.empty > 0,
    min: low >= 0 ? 0 : low - span,
    max: high + span,
    zeroMeansMissing: false,
  };
}

function categoricalFeature(
  column: RawColumn,
  lines: Int32Array,
  declared: { description: string; nullable: boolean; categories?: string[] | undefined } | undefined,
): { feature: CategoricalFeatureSpec; values: Int32Array } {
  const { name, texts } = column;
  if (!texts || texts.values.length > MAX_CATEGORIES) {
    throw new TrainingDataError(
      `column "${name}" has more than ${MAX_CATEGORIES} distinct values; a categorical feature may have at most ` +
        `${MAX_CATEGORIES} (group the rare ones, or leave the column out)`,
    );
  }
  const categories = declared?.categories ?? sortLabels(texts.values);
  if (categories.length === 0) throw new TrainingDataError(`column "${name}" has no values`);
  const index = new Map(categories.map((category, position) => [category, position]));
  const remap = texts.values.map((value, code) => {
    const position = index.get(value);
    if (position === undefined) {
      throw new TrainingDataError(
        `line ${texts.firstLines[code]}, column "${name}": "${value}" is not one of the categories the schema declares`,
      );
    }
    return position;
  });
  const nullable = declared?.nullable ?? column.empty > 0;
  const values = new Int32Array(new SharedArrayBuffer(texts.codes.length * 4));
  for (let row = 0; row < texts.codes.length; row++) {
    const code = texts.codes[row]!;
    if (code < 0 && !nullable) {
      throw new TrainingDataError(
        `line ${lines[row]}, column "${name}": missing, but the feature is required`,
      );
    }
    values[row] = code < 0 ? -1 : remap[code]!;
  }
  return {
    feature: { name, description: declared?.description ?? name, dtype: 'category', nullable, categories },
    values,
  };
}
