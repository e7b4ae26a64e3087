import { CsvParser, type CsvRecord, CsvSyntaxError, type FeatureSpec, isCategorical } from '@glyco/contract';
import { Problem } from '../http/problem.ts';
import type { ModelInput } from '../model/inference-engine.ts';
import type { LoadedModel } from '../model/load-model.ts';
import type { RowEncoder } from '../model/row-encoder.ts';
import { describeRows } from '../prediction/row-prediction.ts';
import { csvCell, csvCellValue } from '../validation/csv-values.ts';
import { schemasFor } from '../validation/model-schemas.ts';
import { parsePredictBody } from '../validation/predict-body.ts';

/** Rows per model run: large enough that a run's fixed cost vanishes, small enough to keep memory flat. */
const BATCH_ROWS = 8192;

/** The input cannot be scored at all (no header, a column the model needs is absent, broken CSV). */
export class ScoreInputError extends Error {
  override name = 'ScoreInputError';
}

export interface ScoreProgress {
  /** Data lines read so far. */
  rows: number;
  /** Of those, rows scored and written. */
  scored: number;
  /** Of those, rows refused (each reported through `onBadRow`). */
  bad: number;
}

export interface ScoreOptions {
  model: Pick<LoadedModel, 'manifest' | 'engine'>;
  /** The CSV's text, in chunks of any size. */
  input: AsyncIterable<string>;
  /** Writes a chunk of the output CSV; resolves when the destination can take more. */
  write(chunk: string): Promise<void> | void;
  /** A row that cannot be scored: its 1-based line and why; the run goes on without it. */
  onBadRow(line: number, detail: string): void;
  /** Called after each batch is written. */
  onProgress?(progress: ScoreProgress): void;
}

/** The output columns of an answer: its fields, nested objects flattened as `outer_inner`. */
function flatten(answer: object, prefix = '', into = new Map<string, (a: object) => unknown>()) {
  for (const [key, value] of Object.entries(answer)) {
    const name = `${prefix}${key}`;
    if (typeof value === 'object' && value !== null) {
      const inner = flatten(value, '', new Map());
      for (const [innerName, get] of inner) {
        into.set(`${name}_${innerName}`, (a) => get((a as Record<string, object>)[key]!));
      }
    } else {
      into.set(name, (a) => (a as Record<string, unknown>)[key]);
    }
  }
  return into;
}

/**
 * Scores a CSV of any size in constant memory: a header, then one row per line, features by column name (other
 * columns, an id say, are carried through). Each row is validated as `/predict` validates it, rows are run in
 * batches, and each is written back as it was written, with its answer's columns after it (`/predict`'s fields,
 * nested ones flattened: `probabilities_<class>`, `interval_low`). A bad row is reported with its line and left
 * out.
 */
export async function scoreCsv(options: ScoreOptions): Promise<ScoreProgress> {
  const { manifest, engine } = options.model;
  const schemas = schemasFor(manifest, BATCH_ROWS);
  const { encoder } = schemas;
  const progress: ScoreProgress = { rows: 0, scored: 0, bad: 0 };
  const parser = new CsvParser();
  let header: Columns | undefined;
  let batch = newBatch(encoder.allocate(BATCH_ROWS));
  let outputColumns: Map<string, (answer: object) => unknown> | undefined;
  let running: Promise<void> = Promise.resolve();

  /**
   * Hands the batch over to be run and written, once the one before it is written; a new batch takes its place.
   * With an engine on another thread (`openWorkerModel`), the next batch is read while this one runs.
   */
  async function flush(): Promise<void> {
    await running;
    const done = batch;
    batch = newBatch(encoder.allocate(BATCH_ROWS));
    if (done.count === 0) return;
    running = runAndWrite(done);
    // Awaited by the next flush; until then a failure must not count as unhandled.
    running.catch(() => {});
  }

  async function runAndWrite(done: Batch): Promise<void> {
    const outputs = await engine.run(firstRows(encoder, done.values, done.count), done.count);
    const answers = describeRows(manifest, outputs, done.count);
    if (!outputColumns) {
      outputColumns = flatten(answers[0]!);
      await options.write(`${[header!.text, ...[...outputColumns.keys()].map(csvCell)].join(',')}\n`);
    }
    const getters = [...outputColumns.values()];
    let text = '';
    for (let r = 0; r < done.count; r++) {
      let line = done.lines[r]!;
      for (const get of getters) {
        const value = get(answers[r]!);
        line += typeof value === 'string' ? `,${csvCell(value)}` : `,${value ?? ''}`;
      }
      text += `${line}\n`;
    }
    await options.write(text);
    progress.scored += done.count;
    options.onProgress?.(progress);
  }

  function addRecord(record: CsvRecord): void {
    if (!header) {
      header = columnsOf(record, manifest.features);
      return;
    }
    progress.rows++;
    const { cells, line } = record;
    if (cells.length !== header.names.length) {
      reportBad(line, `holds ${cells.length} cells, but the header has ${header.names.length} columns`);
      return;
    }
    const row: Record<string, unknown> = {};
    for (const { name, column, categorical } of header.features) {
      row[name] = csvCellValue(cells[column]!, categorical);
    }
    if (!encoder.encodeObject(row, batch.values, batch.count)) {
      reportBad(line, badRowDetail(row));
      return;
    }
    batch.lines[batch.count++] = record.text;
  }

  function reportBad(line: number, detail: string): void {
    progress.bad++;
    options.onBadRow(line, detail);
  }

  /** What `/predict` says of the row: its first offending feature, and how many more there are. */
  function badRowDetail(row: Record<string, unknown>): string {
    try {
      parsePredictBody(manifest, schemas, row);
    } catch (error) {
      if (error instanceof Problem) return error.message;
      throw error;
    }
    throw new Error('the compiled row checks rejected a row the request schema accepts');
  }

  try {
    for await (const chunk of options.input) {
      for (const record of parser.push(chunk)) {
        addRecord(record);
        if (batch.count === BATCH_ROWS) await flush();
      }
    }
    for (const record of parser.end()) addRecord(record);
  } catch (error) {
    await running.catch(() => {});
    if (error instanceof CsvSyntaxError) {
      throw new ScoreInputError(`the data is not valid CSV: ${error.message}`);
    }
    throw error;
  }
  if (!header) throw new ScoreInputError('the data is empty: expected a header line, then one line per row');
  await flush();
  await running;
  return progress;
}

interface Batch {
  values: ModelInput;
  count: number;
  /** Each row's record, as written, to be written back. */
  lines: string[];
}

function newBatch(values: ModelInput): Batch {
  return { values, count: 0, lines: [] };
}

/** The first `count` rows of an input allocated for more: views of its tensors where they are typed arrays. */
function firstRows(encoder: RowEncoder, input: ModelInput, count: number): ModelInput {
  return {
    numeric: input.numeric.subarray(0, count * encoder.numericFeatures.length),
    categorical: input.categorical?.slice(0, count * encoder.categoricalFeatures.length),
  };
}

interface Columns {
  names: string[];
  /** The header line as written. */
  text: string;
  /** Each feature the header holds: its column, and whether its cells are categories (text as written). */
  features: { name: string; column: number; categorical: boolean }[];
}

/** The header's columns; refuses a header without a column every row needs. */
function columnsOf(record: CsvRecord, features: readonly FeatureSpec[]): Columns {
  const names = record.cells;
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) {
    throw new ScoreInputError(`line ${record.line}: the header names column "${duplicate}" twice`);
  }
  const missing = features.filter((feature) => !feature.nullable && !names.includes(feature.name));
  if (missing.length > 0) {
    const list = missing.map((feature) => feature.name).join(', ');
    throw new ScoreInputError(
      `line ${record.line}: the header has no column for ${list}, which the model needs`,
    );
  }
  const present = features.filter((feature) => names.includes(feature.name));
  return {
    names,
    text: record.text,
    features: present.map((feature) => ({
      name: feature.name,
      column: names.indexOf(feature.name),
      categorical: isCategorical(feature),
    })),
  };
}
