import { accessSync, constants, mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  ALGORITHMS,
  type AlgorithmChoice,
  DEFAULT_VERSION,
  type ProgressEvent,
  type TrainCommandResult,
  TrainingDataError,
  trainFromCsv,
} from '@glyco/trainer';
import { CliError } from '../cli.ts';

const USAGE = `usage: glyco train --data <csv> --target <column> --positive <label> --name <model-name> [options]

  --data <csv>          training data, a CSV file with a header row
  --target <column>     the column to predict (two classes)
  --positive <label>    the class whose probability the model gives
  --name <model-name>   lowercase letters, digits and dashes
  --out <dir>           model registry directory (default: models)
  --version <v>         model version (default: ${DEFAULT_VERSION}); writes <out>/<name>/<version>/
  --schema <json>       feature metadata (default: <data>.schema.json beside the CSV, when present)
  --algorithm <a>       logreg, gbt or auto (default: auto, best cross-validated ROC AUC)
  --folds <k>           stratified cross-validation folds (default: 5)
  --seed <n>            random seed for folds and subsampling (default: 42)
  --force               replace an existing model of the same name and version`;

const NAME = /^[a-z0-9][a-z0-9-]*$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      data: { type: 'string' },
      target: { type: 'string' },
      positive: { type: 'string' },
      name: { type: 'string' },
      out: { type: 'string', default: 'models' },
      version: { type: 'string', default: DEFAULT_VERSION },
      schema: { type: 'string' },
      algorithm: { type: 'string', default: 'auto' },
      folds: { type: 'string', default: '5' },
      seed: { type: 'string', default: '42' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const required = (option: 'data' | 'target' | 'positive' | 'name') => {
    const value = values[option];
    if (!value) throw new CliError(`train: --${option} is required; see glyco train --help`, 2);
    return value;
  };
  const data = required('data');
  const target = required('target');
  const positive = required('positive');
  const name = required('name');
  if (!NAME.test(name))
    throw new CliError(`train: --name "${name}" must be lowercase letters, digits and dashes`, 2);
  if (!VERSION.test(values.version)) {
    throw new CliError(`train: --version "${values.version}" must be letters, digits, dots and dashes`, 2);
  }
  const algorithm = values.algorithm as AlgorithmChoice;
  if (algorithm !== 'auto' && !(ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw new CliError(
      `train: --algorithm must be ${[...ALGORITHMS, 'auto'].join(', ')}; got "${algorithm}"`,
      2,
    );
  }
  assertWritableDirectory(values.out);
  const progress = progressPrinter(process.stderr);
  try {
    const result = trainFromCsv({
      data,
      ...(values.schema !== undefined && { schema: values.schema }),
      target,
      positive,
      name,
      version: values.version,
      out: values.out,
      algorithm,
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
    process.stdout.write(summary(result));
  } catch (error) {
    progress.done();
    if (error instanceof TrainingDataError) throw new CliError(`train: ${error.message}`);
    throw error;
  }
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

function summary({ directory, manifest }: TrainCommandResult): string {
  const cv = manifest.metrics.crossValidation;
  const spread = (m: { mean: number; sd: number }) => `${m.mean.toFixed(3)} ± ${m.sd.toFixed(3)}`;
  const candidates = manifest.algorithm.candidates;
  const rows: [string, string][] = [
    ['model', `${manifest.name} ${manifest.version}`],
    ['written to', directory],
    [
      'algorithm',
      candidates
        ? `${manifest.algorithm.name} (auto: ${Object.entries(candidates)
            .map(([name, auc]) => `${name} ${auc.toFixed(3)}`)
            .join(', ')})`
        : manifest.algorithm.name,
    ],
    [
      'data',
      `${manifest.trainingData.rows} rows, ${manifest.trainingData.positives} ${manifest.target.classLabels[1]}`,
    ],
    [`CV ROC AUC`, `${spread(cv.rocAuc)} (${cv.folds} folds, seed ${cv.seed})`],
    ['CV accuracy', spread(cv.accuracy)],
    ['CV F1', spread(cv.f1)],
    ['CV Brier', spread(cv.brier)],
    ['training time', `${(manifest.trainingTimeMs / 1000).toFixed(2)} s`],
  ];
  const width = Math.max(...rows.map(([key]) => key.length));
  return `${rows.map(([key, value]) => `${key.padEnd(width)}  ${value}`).join('\n')}\n`;
}
