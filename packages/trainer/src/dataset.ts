import type { FeatureSpec } from '@glyco/contract';
import type { CsvTable } from './csv.ts';
import { TrainingDataError } from './errors.ts';
import type { FeatureMetadata, FeatureSchemaFile } from './feature-schema.ts';

export type Dataset = {
  target: string;
  /** Index 0 negative, 1 positive. */
  classLabels: [string, string];
  features: FeatureSpec[];
  /** Features whose metadata was inferred from the data because the schema file did not declare them. */
  inferredFeatures: string[];
  /**
   * Raw feature values in feature order, NaN where missing. Rounded to float32, because that is what the ONNX
   * model receives: training on exactly those values makes the exported model agree with the trainer.
   */
  rows: number[][];
  /** 1 for the positive class, 0 for the negative. */
  labels: number[];
};

export type DatasetOptions = { target: string; positive: string; schema: FeatureSchemaFile | undefined };

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** Feature names become JSON keys in requests and identifiers in the manifest. */
const FEATURE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Turns a parsed CSV into a validated dataset; every bad cell is reported with its line and column. */
export function buildDataset(table: CsvTable, options: DatasetOptions): Dataset {
  const { header, rows } = table;
  if (rows.length === 0) throw new TrainingDataError('the data file has a header but no data rows');
  const targetIndex = header.indexOf(options.target);
  if (targetIndex < 0) {
    throw new TrainingDataError(`target column "${options.target}" not found; columns: ${header.join(', ')}`);
  }
  const classLabels = classLabelsOf(table, targetIndex, options);
  const featureColumns = header
    .map((name, index) => ({ name, index }))
    .filter(({ index }) => index !== targetIndex);
  if (featureColumns.length === 0)
    throw new TrainingDataError('the data has no feature columns besides the target');
  const badName = featureColumns.find(({ name }) => !FEATURE_NAME.test(name));
  if (badName) {
    throw new TrainingDataError(
      `column "${badName.name}" is not a usable feature name: letters, digits and underscores, not starting with a digit`,
    );
  }
  for (const name of Object.keys(options.schema ?? {})) {
    if (!header.includes(name))
      throw new TrainingDataError(`the schema declares "${name}", which the data lacks`);
  }

  const parsed = featureColumns.map(({ name, index }) =>
    rows.map(({ line, cells }) => parseCell(cells[index]!, line, name)),
  );
  const inferredFeatures: string[] = [];
  const features = featureColumns.map(({ name }, column) => {
    const declared = options.schema?.[name];
    if (!declared) inferredFeatures.push(name);
    const metadata = declared ?? inferMetadata(name, parsed[column]!);
    return { name, ...metadata } satisfies FeatureSpec;
  });
  const values = features.map((feature, column) =>
    parsed[column]!.map((value, row) => checkValue(value, feature, rows[row]!.line)),
  );
  return {
    target: options.target,
    classLabels,
    features,
    inferredFeatures,
    rows: rows.map((_, row) => values.map((column) => column[row]!)),
    labels: rows.map(({ cells }) => (cells[targetIndex]!.trim() === options.positive ? 1 : 0)),
  };
}

function classLabelsOf(table: CsvTable, targetIndex: number, options: DatasetOptions): [string, string] {
  const seen = new Set<string>();
  for (const { line, cells } of table.rows) {
    const label = cells[targetIndex]!.trim();
    if (label === '')
      throw new TrainingDataError(`line ${line}: the target column "${options.target}" is empty`);
    seen.add(label);
  }
  const labels = [...seen].sort();
  const list = labels.map((label) => `"${label}"`).join(', ');
  if (!seen.has(options.positive)) {
    throw new TrainingDataError(
      `positive label "${options.positive}" does not occur in column "${options.target}" (values: ${list})`,
    );
  }
  if (labels.length === 1) {
    throw new TrainingDataError(
      `column "${options.target}" holds only one class (${list}); a binary model needs two`,
    );
  }
  if (labels.length > 2) {
    throw new TrainingDataError(
      `column "${options.target}" holds ${labels.length} classes (${list}); a binary model needs exactly two`,
    );
  }
  return [labels.find((label) => label !== options.positive)!, options.positive];
}

function parseCell(cell: string, line: number, column: string): number {
  const text = cell.trim();
  if (text === '') return Number.NaN;
  if (!NUMBER.test(text))
    throw new TrainingDataError(`line ${line}, column "${column}": "${text}" is not a number`);
  const value = Number(text);
  if (!Number.isFinite(value))
    throw new TrainingDataError(`line ${line}, column "${column}": ${text} is too large`);
  return value;
}

function checkValue(raw: number, feature: FeatureSpec, line: number): number {
  const value = feature.zeroMeansMissing && raw === 0 ? Number.NaN : raw;
  const where = `line ${line}, column "${feature.name}"`;
  if (Number.isNaN(value)) {
    if (!feature.nullable) throw new TrainingDataError(`${where}: missing, but the feature is required`);
    return value;
  }
  if (feature.dtype === 'integer' && !Number.isInteger(value)) {
    throw new TrainingDataError(`${where}: ${value} is not an integer`);
  }
  if (value < feature.min || value > feature.max) {
    throw new TrainingDataError(
      `${where}: ${value} is outside the valid range ${feature.min}–${feature.max}`,
    );
  }
  return Math.fround(value);
}

/**
 * Metadata for a column the schema file does not declare. The valid range is the data's range widened by its
 * span on each side (from 0 for non-negative data), so serving does not reject plausible values never seen here.
 */
function inferMetadata(name: string, values: number[]): FeatureMetadata {
  const present = values.filter((value) => !Number.isNaN(value));
  if (present.length === 0) throw new TrainingDataError(`column "${name}" has no values`);
  const low = Math.min(...present);
  const high = Math.max(...present);
  const span = high - low || Math.abs(high) || 1;
  return {
    description: name,
    unit: null,
    dtype: present.every(Number.isInteger) ? 'integer' : 'float',
    nullable: present.length < values.length,
    min: low >= 0 ? 0 : low - span,
    max: high + span,
    zeroMeansMissing: false,
  };
}
