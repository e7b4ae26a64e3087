import { appendFile, copyFile, readFile } from 'node:fs/promises';
import { type ModelManifest, sha256Hex } from '@glyco/contract';
import type { LabelledOutcome, LabelledRow } from '@glyco/prediction-log';

/** Labelled rows split in time: the older ones are trained on, the most recent ones only judge. */
export interface TimeSplit {
  training: LabelledRow[];
  evaluation: LabelledRow[];
}

/**
 * Holds out the most recent `holdout` share of the rows (by prediction time) as the evaluation set: the
 * challenger never trains on them, so both models are judged on data neither has seen, and on the newest data,
 * where a shift shows first.
 */
export function splitByTime(rows: readonly LabelledRow[], holdout: number): TimeSplit {
  const ordered = [...rows].sort(
    (a, b) => a.predictedAt.getTime() - b.predictedAt.getTime() || a.id.localeCompare(b.id),
  );
  const cut = ordered.length - Math.round(ordered.length * holdout);
  return { training: ordered.slice(0, cut), evaluation: ordered.slice(cut) };
}

/**
 * The rows the champion can learn from: an outcome of its task (a class it knows, or a finite value), every
 * required feature present, no feature it does not know (a version with other features logged them). The rest
 * are counted and left out.
 */
export function usableRows(manifest: ModelManifest, rows: readonly LabelledRow[]) {
  const required = manifest.features.filter((feature) => !feature.nullable).map((feature) => feature.name);
  const known = new Set(manifest.features.map((feature) => feature.name));
  const classes = manifest.task === 'regression' ? 0 : manifest.target.classLabels.length;
  const observed = (outcome: LabelledOutcome) =>
    'value' in outcome
      ? manifest.task === 'regression' && Number.isFinite(outcome.value)
      : Number.isInteger(outcome.classIndex) && outcome.classIndex >= 0 && outcome.classIndex < classes;
  const usable = rows.filter(
    (row) =>
      observed(row.outcome) &&
      required.every((name) => row.inputs[name] !== null && row.inputs[name] !== undefined) &&
      Object.keys(row.inputs).every((name) => known.has(name)),
  );
  return { usable, dropped: rows.length - usable.length };
}

/** One CSV cell: quoted when it holds a comma, a quote or a line break (RFC 4180). */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A classifier's observed class index; the rows a retrain keeps for a classifier all have one. */
export function classIndex(row: LabelledRow): number {
  if ('value' in row.outcome) throw new Error(`row ${row.id} has a regression outcome, not a class`);
  return row.outcome.classIndex;
}

/** A regression model's observed value; the rows a retrain keeps for one all have one. */
export function observedValue(row: LabelledRow): number {
  if (!('value' in row.outcome)) throw new Error(`row ${row.id} has a class outcome, not a value`);
  return row.outcome.value;
}

/**
 * Labelled rows as CSV lines in the columns of `header`: each feature's logged value (empty for missing), the
 * target as the observed value, or the class label (in the model's own spelling) the observed class indexes.
 * Columns the rows do not have stay empty.
 */
export function csvLines(
  manifest: ModelManifest,
  header: readonly string[],
  rows: readonly LabelledRow[],
): string {
  const target = manifest.target.name;
  const observed = (row: LabelledRow) =>
    'value' in row.outcome
      ? row.outcome.value
      : manifest.task === 'regression'
        ? undefined
        : manifest.target.classLabels[row.outcome.classIndex];
  return rows
    .map((row) =>
      header.map((column) => cell(column === target ? observed(row) : row.inputs[column])).join(','),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** The sha256 of rows as CSV with a header: how a run record and a lineage name the logged and evaluation rows. */
export function rowsSha256(header: readonly string[], lines: string): string {
  return sha256Hex(new TextEncoder().encode(`${header.map(cell).join(',')}\n${lines}`));
}

/**
 * The challenger's training data: the base CSV as it is, then the logged rows in its columns. Returns the
 * file's sha256, which its manifest will carry as `trainingData.sha256`.
 */
export async function writeTrainingCsv(base: string, lines: string, out: string): Promise<string> {
  await copyFile(base, out);
  const bytes = await readFile(base);
  if (bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) await appendFile(out, '\n');
  await appendFile(out, lines);
  return sha256Hex(await readFile(out));
}
