import { accessSync, constants, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ALGORITHM_NAMES, type ModelManifest, primaryMetric, TASKS } from '@glyco/contract';
import { newRunId, openRegistry, signModelDir, storeDataset, writeRun } from '@glyco/registry';
import {
  type AlgorithmChoice,
  DEFAULT_VERSION,
  type ProgressEvent,
  type TrainCommandResult,
  TrainingDataError,
  trainFromCsv,
} from '@glyco/trainer';
import { CliError } from '../cli.ts';
import { runProvenance } from '../run-provenance.ts';
import { crossValidation, trainingParameters } from '../run-record.ts';
import { SIGNING_HELP, SIGNING_OPTIONS, signerFrom } from '../signing-cli.ts';

const USAGE = `usage: glyco train --data <csv> --target <column> --name <model-name> [options]

  --data <csv>          training data, a CSV file with a header row
  --target <column>     the column to predict
  --name <model-name>   lowercase letters, digits and dashes
  --task <task>         binary, multiclass or regression (default: inferred from the target column: two values
                        are binary, a few labels multiclass, many numbers regression)
  --positive <label>    binary only: the class whose probability the model gives (default: inferred when the
                        labels say it: pos/neg, positive/negative, 1/0, yes/no, y/n, true/false)
  --out <dir>           model registry directory (default: models)
  --version <v>         model version (default: ${DEFAULT_VERSION}); writes <out>/<name>/<version>/
  --schema <json>       feature metadata (default: <data>.schema.json beside the CSV, when present)
  --algorithm <a>       auto (default: the best cross-validated primary metric of the task's linear model,
                        gradient-boosted trees and their blend), logreg (classification), ridge (regression),
                        gbt, or blend
  --class-weight <w>    none (default: calibrated probabilities) or balanced (rare classes weigh as much as
                        common ones in the loss, for recall of rare classes at the cost of calibration)
  --folds <k>           cross-validation folds, stratified for classes (default: 5)
  --seed <n>            random seed for folds and subsampling (default: 42)
  --force               replace an existing model of the same name and version
${SIGNING_HELP}`;

const NAME = /^[a-z0-9][a-z0-9-]*$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const CLASS_WEIGHTS = ['none', 'balanced'] as const;

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      data: { type: 'string' },
      target: { type: 'string' },
      task: { type: 'string' },
      positive: { type: 'string' },
      name: { type: 'string' },
      out: { type: 'string', default: 'models' },
      version: { type: 'string', default: DEFAULT_VERSION },
      schema: { type: 'string' },
      algorithm: { type: 'string', default: 'auto' },
      'class-weight': { type: 'string', default: 'none' },
      folds: { type: 'string', default: '5' },
      seed: { type: 'string', default: '42' },
      force: { type: 'boolean', default: false },
      ...SIGNING_OPTIONS,
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const required = (option: 'data' | 'target' | 'name') => {
    const value = values[option];
    if (!value) throw new CliError(`train: --${option} is required; see glyco train --help`, 2);
    return value;
  };
  const data = required('data');
  const target = required('target');
  const name = required('name');
  if (!NAME.test(name))
    throw new CliError(`train: --name "${name}" must be lowercase letters, digits and dashes`, 2);
  if (!VERSION.test(values.version)) {
    throw new CliError(`train: --version "${values.version}" must be letters, digits, dots and dashes`, 2);
  }
  const task = oneOf('task', values.task, TASKS);
  const algorithm = oneOf('algorithm', values.algorithm, [
    'auto',
    ...ALGORITHM_NAMES,
  ] as const) as AlgorithmChoice;
  const classWeight = oneOf('class-weight', values['class-weight'], CLASS_WEIGHTS)!;
  if (values.positive !== undefined && task !== undefined && task !== 'binary') {
    throw new CliError(`train: --positive applies to binary models, not ${task} ones`, 2);
  }
  assertWritableDirectory(values.out);
  const signer = await signerFrom('train', values);
  const progress = progressPrinter(process.stderr);
  const started = new Date();
  try {
    const result = await trainFromCsv({
      data,
      schema: values.schema,
      target,
      task,
      positive: values.positive,
      name,
      version: values.version,
      out: values.out,
      algorithm,
      classWeight,
      folds: integerOption('folds', values.folds, 2),
      seed: integerOption('seed', values.seed, 0),
      force: values.force,
      onProgress: progress.update,
    });
    progress.done();
    if (result.inferredFeatures.length) {
      process.stderr.write(
        `glyco: warning: no metadata for ${result.inferredFeatures.join(', ')}; inferred from the data (declare them in a schema file)\n`,
      );
    }
    const signedBy = await signModelDir(result.directory, signer);
    if (signedBy)
      process.stderr.write(`glyco: signed ${result.directory}/manifest.json.sig by ${signedBy}\n`);
    const run = await recordRun(values.out, result, data, started);
    process.stdout.write(summary(result, run));
  } catch (error) {
    progress.done();
    if (error instanceof TrainingDataError) throw new CliError(`train: ${error.message}`);
    throw error;
  }
}

/**
 * `--out` is a local registry: beside the version, the run goes to `<name>/runs/` and the training data, by its
 * sha256, to `<name>/datasets/`, where `glyco publish` finds it to store with the version.
 */
async function recordRun(
  out: string,
  { manifest }: TrainCommandResult,
  dataPath: string,
  started: Date,
): Promise<string> {
  const store = openRegistry(out);
  const options = manifest.trainingOptions!;
  await storeDataset(store, manifest.name, await readFile(dataPath));
  const finished = new Date();
  const cv = crossValidation(manifest);
  return writeRun(store, {
    schemaVersion: 1,
    id: newRunId(started),
    kind: 'train',
    model: manifest.name,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
    decision: 'trained',
    reason: `trained ${manifest.name} ${manifest.version}: ${manifest.algorithm.name}, CV ${cv.label} ${cv.mean.toFixed(4)}`,
    parameters: trainingParameters(options),
    data: [
      {
        role: 'training',
        file: options.data.file,
        sha256: options.data.sha256,
        rows: manifest.trainingData.rows,
      },
    ],
    version: { version: manifest.version, published: false },
    metrics: { crossValidation: cv },
    durations: { train: Math.round(manifest.trainingTimeMs) },
    ...(await runProvenance()),
  });
}

function oneOf<T extends string>(
  option: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined || (allowed as readonly string[]).includes(value)) return value as T | undefined;
  throw new CliError(`train: --${option} must be ${allowed.join(', ')}; got "${value}"`, 2);
}

/** Fails before a second of training is spent, not after, when the output cannot be written. */
function assertWritableDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new CliError(`train: --out ${dir} cannot be written: ${(error as NodeJS.ErrnoException).code}`);
  }
}

function integerOption(option: string, text: string, min: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > 2 ** 31 - 1) {
    throw new CliError(`train: --${option} must be an integer from ${min}; got "${text}"`, 2);
  }
  return value;
}

/**
 * On a terminal, one status line rewritten in place (fold, boosting round); elsewhere (CI logs), one line per
 * fold and none per round.
 */
function progressPrinter(stream: NodeJS.WriteStream) {
  const tty = stream.isTTY === true;
  let last = 0;
  let shown = false;
  const write = (line: string) => {
    if (tty) {
      stream.write(`\r\x1b[2K${line}`);
      shown = true;
    } else {
      stream.write(`${line}\n`);
    }
  };
  let stage = '';
  return {
    update(event: ProgressEvent) {
      if (event.kind === 'fold') {
        stage = `${event.algorithm}: cross-validation fold ${event.fold}/${event.folds}`;
        write(stage);
      } else if (event.kind === 'refit') {
        stage = `${event.algorithm}: refitting on all rows`;
        write(stage);
      } else if (tty && performance.now() - last > 50) {
        last = performance.now();
        write(`${stage}, round ${event.round}`);
      }
    },
    done() {
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}

const spread = (m: { mean: number; sd: number }) => `${m.mean.toFixed(3)} ± ${m.sd.toFixed(3)}`;

function summary({ directory, manifest }: TrainCommandResult, run: string): string {
  const options = manifest.trainingOptions!;
  const cv = manifest.metrics.crossValidation;
  const primary = primaryMetric(manifest);
  const candidates = manifest.algorithm.candidates;
  const rows: [string, string][] = [
    ['model', `${manifest.name} ${manifest.version}`],
    ['written to', directory],
    ['task', `${manifest.task}${options.taskInferred ? ` (inferred from "${options.target}")` : ''}`],
    ['data', dataLine(manifest)],
    [
      'algorithm',
      candidates
        ? `${manifest.algorithm.name} (auto, CV ${primary.label}: ${Object.entries(candidates)
            .map(([algorithm, score]) => `${algorithm} ${score.toFixed(3)}`)
            .join(', ')})`
        : manifest.algorithm.name,
    ],
    ...metricLines(manifest).map(([label, value], index): [string, string] => [
      `CV ${label}`,
      index === 0 ? `${value} (${cv.folds} folds, seed ${cv.seed})` : value,
    ]),
    ['training time', `${(manifest.trainingTimeMs / 1000).toFixed(2)} s`],
    ['peak memory', `${Math.round(process.resourceUsage().maxRSS / 1024)} MB`],
    ['run', run],
  ];
  const width = Math.max(...rows.map(([key]) => key.length));
  return `${rows.map(([key, value]) => `${key.padEnd(width)}  ${value}`).join('\n')}\n`;
}

function dataLine(manifest: ModelManifest): string {
  const rows = `${manifest.trainingData.rows} rows`;
  switch (manifest.task) {
    case 'binary':
      return `${rows}, ${manifest.trainingData.positives} ${manifest.target.classLabels[1]} (positive)`;
    case 'multiclass':
      return `${rows}: ${manifest.target.classLabels
        .map((label, k) => `${manifest.trainingData.classCounts[k]} ${label}`)
        .join(', ')}`;
    case 'regression':
      return `${rows}, ${manifest.target.name} from ${manifest.trainingData.targetSummary.min} to ${manifest.trainingData.targetSummary.max}`;
  }
}

/** The task's cross-validated metrics, the primary one first. */
function metricLines(manifest: ModelManifest): [string, string][] {
  switch (manifest.task) {
    case 'binary': {
      const cv = manifest.metrics.crossValidation;
      return [
        ['ROC AUC', spread(cv.rocAuc)],
        ['accuracy', spread(cv.accuracy)],
        ['F1', spread(cv.f1)],
        ['Brier', spread(cv.brier)],
      ];
    }
    case 'multiclass': {
      const cv = manifest.metrics.crossValidation;
      return [
        ['macro ROC AUC', spread(cv.rocAuc)],
        ['accuracy', spread(cv.accuracy)],
        ['macro F1', spread(cv.macroF1)],
        ['log loss', spread(cv.logLoss)],
      ];
    }
    case 'regression': {
      const cv = manifest.metrics.crossValidation;
      const unit = manifest.target.unit ? ` ${manifest.target.unit}` : '';
      return [
        ['RMSE', `${spread(cv.rmse)}${unit}`],
        ['R²', spread(cv.r2)],
        ['MAE', `${spread(cv.mae)}${unit}`],
      ];
    }
  }
}
