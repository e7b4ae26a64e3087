import type { Task } from '@glyco/contract';
import { TrainingDataError } from './errors.ts';
import type { TargetMetadata } from './feature-schema.ts';
import { sortLabels } from './labels.ts';
import type { RawColumn, RawTable } from './table.ts';

/** What a model predicts: classes (binary: negative then positive) or a number with its unit. */
export type Target = {
  name: string;
  description: string;
  unit: string | null;
  /** The classes in output order; empty for regression. */
  classLabels: string[];
};

/** Most classes a multiclass model may have; beyond, the column is most likely an identifier or a number. */
export const MAX_CLASSES = 50;
/** A numeric target with more distinct values than this (or any fraction) is inferred to be a regression target. */
export const MAX_INFERRED_NUMERIC_CLASSES = 10;

/** Pairs of labels whose positive class goes without saying (compared case-insensitively), negative first. */
const OBVIOUS_PAIRS: readonly [string, string][] = [
  ['neg', 'pos'],
  ['negative', 'positive'],
  ['0', '1'],
  ['no', 'yes'],
  ['n', 'y'],
  ['false', 'true'],
];

export type TargetOptions = {
  target: string;
  task?: Task | undefined;
  positive?: string | undefined;
  metadata: TargetMetadata | undefined;
};

/**
 * Decides the task (the one asked for, or inferred: two values → binary, a few labels → multiclass, many numbers
 * → regression) and encodes the target column for it. Every refusal is one line naming the column.
 */
export function inferTarget(
  table: RawTable,
  column: RawColumn,
  options: TargetOptions,
): { task: Task; taskInferred: boolean; target: Target; y: Float64Array } {
  if (column.firstEmptyLine !== undefined) {
    throw new TrainingDataError(`line ${column.firstEmptyLine}: the target column "${column.name}" is empty`);
  }
  const task = options.task ?? inferTask(column);
  if (options.positive !== undefined && task !== 'binary') {
    throw new TrainingDataError(`--positive applies to binary models; "${column.name}" is a ${task} target`);
  }
  const description = options.metadata?.description ?? column.name;
  const unit = options.metadata?.unit ?? null;
  const taskInferred = options.task === undefined;
  if (task === 'regression') {
    return {
      task,
      taskInferred,
      target: { name: column.name, description, unit, classLabels: [] },
      y: regressionValues(column, table),
    };
  }
  const labels = distinctLabels(column);
  const classLabels =
    task === 'binary'
      ? binaryLabels(column.name, labels, options.positive)
      : multiclassLabels(column.name, labels);
  const index = new Map(classLabels.map((label, position) => [label, position]));
  const texts = column.texts!;
  const codeToClass = texts.values.map((value) => index.get(value)!);
  const y = new Float64Array(new SharedArrayBuffer(table.rows * 8));
  for (let row = 0; row < table.rows; row++) y[row] = codeToClass[texts.codes[row]!]!;
  return { task, taskInferred, target: { name: column.name, description, unit, classLabels }, y };
}

function inferTask(column: RawColumn): Task {
  const labels = column.texts?.values;
  if (labels?.length === 2) return 'binary';
  if (column.firstText) return 'multiclass';
  const integers = column.numbers.every(Number.isInteger);
  if (labels && labels.length >= 3 && labels.length <= MAX_INFERRED_NUMERIC_CLASSES && integers)
    return 'multiclass';
  return labels?.length === 1 ? 'binary' : 'regression';
}

/** The column's distinct labels, sorted; refuses a column with more of them than MAX_CLASSES. */
function distinctLabels(column: RawColumn): string[] {
  const values = column.texts?.values;
  if (!values || values.length > MAX_CLASSES) {
    throw new TrainingDataError(
      `column "${column.name}" holds more than ${MAX_CLASSES} distinct labels, too many classes for a model` +
        (column.firstText ? '' : '; pass --task regression to predict it as a number'),
    );
  }
  return sortLabels(values);
}

function quoted(labels: readonly string[]): string {
  return labels.map((label) => `"${label}"`).join(', ');
}

function binaryLabels(name: string, labels: string[], positive: string | undefined): [string, string] {
  if (labels.length === 1) {
    throw new TrainingDataError(
      `column "${name}" holds only one class (${quoted(labels)}); a model needs two or more`,
    );
  }
  if (labels.length > 2) {
    throw new TrainingDataError(
      `column "${name}" holds ${labels.length} classes (${quoted(labels)}); a binary model needs exactly two ` +
        '(leave out --task binary to train a multiclass model)',
    );
  }
  if (positive === undefined) {
    const [a, b] = labels as [string, string];
    const pair = OBVIOUS_PAIRS.find(
      ([negative, positive]) =>
        (equalLabels(a, negative) && equalLabels(b, positive)) ||
        (equalLabels(b, negative) && equalLabels(a, positive)),
    );
    if (!pair) {
      throw new TrainingDataError(
        `column "${name}" holds two classes (${quoted(labels)}); say which one the model gives the probability of with --positive`,
      );
    }
    const positiveLabel = equalLabels(a, pair[1]) ? a : b;
    return [positiveLabel === a ? b : a, positiveLabel];
  }
  if (!labels.includes(positive)) {
    throw new TrainingDataError(
      `positive label "${positive}" does not occur in column "${name}" (values: ${quoted(labels)})`,
    );
  }
  return [labels.find((label) => label !== positive)!, positive];
}

/** Case-insensitive, and numerically for numbers ("1.0" is 1). */
function equalLabels(label: string, expected: string): boolean {
  if (label.toLowerCase() === expected) return true;
  const number = Number(label);
  return label.trim() !== '' && !Number.isNaN(number) && String(number) === expected;
}

function multiclassLabels(name: string, labels: string[]): string[] {
  if (labels.length < 2) {
    throw new TrainingDataError(
      `column "${name}" holds only one class (${quoted(labels)}); a model needs two or more`,
    );
  }
  return labels;
}

function regressionValues(column: RawColumn, table: RawTable): Float64Array {
  if (column.firstText) {
    throw new TrainingDataError(
      `line ${column.firstText.line}: the target "${column.name}" is "${column.firstText.text}", not a number; ` +
        'a regression target must be numeric',
    );
  }
  const y = new Float64Array(new SharedArrayBuffer(table.rows * 8));
  for (let row = 0; row < table.rows; row++) {
    const value = column.numbers[row]!;
    if (!Number.isFinite(value)) {
      throw new TrainingDataError(`line ${table.lines[row]}: the target "${column.name}" is too large`);
    }
    y[row] = value;
  }
  const first = y[0]!;
  if (y.every((value) => value === first)) {
    throw new TrainingDataError(
      `column "${column.name}" holds only one value (${first}); there is nothing to predict`,
    );
  }
  return y;
}
