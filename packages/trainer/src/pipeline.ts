import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import {
  CARD_FILE,
  MANIFEST_FILE,
  MODEL_FILE,
  type ModelManifest,
  ONNX_INPUT,
  ONNX_OUTPUT_LABEL,
  ONNX_OUTPUT_PROBABILITIES,
  parseManifest,
  sha256Hex,
} from '@glyco/contract';
import trainerPackage from '../package.json' with { type: 'json' };
import { confusionMatrixSvg, rocCurveSvg } from './charts.ts';
import { parseCsv } from './csv.ts';
import { buildDataset, type Dataset } from './dataset.ts';
import { TrainingDataError } from './errors.ts';
import { readFeatureSchema, schemaPathBeside } from './feature-schema.ts';
import { classificationMetrics, meanSd, rocCurve } from './metrics.ts';
import { CONFUSION_MATRIX_FILE, ROC_FILE, renderModelCard } from './model-card.ts';
import { exportOnnx, OPSETS } from './onnx/export.ts';
import { designColumnNames } from './preprocessing.ts';
import { referenceDistributions } from './reference.ts';
import { predictProbability } from './trained-model.ts';
import {
  type AlgorithmChoice,
  DECISION_THRESHOLD,
  type ProgressEvent,
  type TrainingResult,
  trainModel,
} from './training.ts';

/**
 * Risk bands on the probability of the positive class. About a third of the Pima rows are positive: below 0.3 a
 * row is less likely than the base rate (low), from 0.6 a positive is the more likely outcome by a clear margin (high).
 */
export const RISK_THRESHOLDS = { medium: 0.3, high: 0.6 };
export const DEFAULT_VERSION = '1.0.0';

export type TrainCommandOptions = {
  data: string;
  /** Feature metadata; default: `<data without .csv>.schema.json` when it exists. */
  schema?: string;
  target: string;
  positive: string;
  name: string;
  version: string;
  out: string;
  algorithm: AlgorithmChoice;
  folds: number;
  seed: number;
  /** Replace an existing model directory of the same name and version. */
  force: boolean;
  onProgress?: (event: ProgressEvent) => void;
  /** The clock, for tests; defaults to now. */
  now?: () => Date;
};

export type TrainCommandResult = { directory: string; manifest: ModelManifest; inferredFeatures: string[] };

/** CSV in, `<out>/<name>/<version>/{model.onnx, manifest.json, card.md, roc.svg, confusion-matrix.svg}` out. */
export function trainFromCsv(options: TrainCommandOptions): TrainCommandResult {
  const started = performance.now();
  const directory = join(options.out, options.name, options.version);
  if (
    !options.force &&
    existsSync(directory) &&
    (!statSync(directory).isDirectory() || readdirSync(directory).length)
  ) {
    throw new TrainingDataError(
      `${directory} already exists; choose another --version or pass --force to replace it`,
    );
  }
  const csv = readDataFile(options.data);
  const schemaPath = options.schema ?? schemaPathBeside(options.data);
  const schema = readFeatureSchema(schemaPath, options.schema !== undefined);
  let dataset: Dataset;
  try {
    dataset = buildDataset(parseCsv(csv.toString('utf8')), {
      target: options.target,
      positive: options.positive,
      schema,
    });
  } catch (error) {
    if (error instanceof TrainingDataError) throw new TrainingDataError(`${options.data}: ${error.message}`);
    throw error;
  }
  const result = trainModel(dataset, options);
  const onnx = exportOnnx(result.model, {
    producerName: trainerPackage.name,
    producerVersion: trainerPackage.version,
    modelName: options.name,
    features: dataset.features,
  });
  const manifest = parseManifest(
    buildManifest(options, dataset, result, { onnx, csv, trainingTimeMs: performance.now() - started }),
  );
  const heldOut = manifest.metrics.heldOut;
  writeArtifacts(directory, {
    [MODEL_FILE]: onnx,
    [MANIFEST_FILE]: `${JSON.stringify(manifest, null, 2)}\n`,
    [CARD_FILE]: renderModelCard(
      manifest,
      result.model,
      designColumnNames(result.model.preprocessing, dataset.features),
    ),
    [ROC_FILE]: rocCurveSvg(rocCurve(dataset.labels, result.crossValidation.scores), heldOut.rocAuc),
    [CONFUSION_MATRIX_FILE]: confusionMatrixSvg(heldOut.confusionMatrix, dataset.classLabels),
  });
  return { directory, manifest, inferredFeatures: dataset.inferredFeatures };
}

function readDataFile(path: string): Buffer {
  if (!existsSync(path)) throw new TrainingDataError(`data file ${path} does not exist`);
  if (statSync(path).isDirectory()) throw new TrainingDataError(`data file ${path} is a directory`);
  return readFileSync(path);
}

function buildManifest(
  options: TrainCommandOptions,
  dataset: Dataset,
  result: TrainingResult,
  artifacts: { onnx: Uint8Array; csv: Buffer; trainingTimeMs: number },
): ModelManifest {
  const { model, crossValidation, candidates } = result;
  const folds = crossValidation.perFold;
  const over = (metric: 'rocAuc' | 'accuracy' | 'f1' | 'brier') => meanSd(folds.map((fold) => fold[metric]));
  const trainingScores = dataset.rows.map((row) => predictProbability(model, row));
  return {
    schemaVersion: 1,
    name: options.name,
    version: options.version,
    task: 'binary',
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    trainer: { name: trainerPackage.name, version: trainerPackage.version },
    algorithm: {
      name: model.algorithm,
      hyperparameters: model.hyperparameters,
      ...(candidates && { candidates }),
    },
    features: dataset.features,
    target: { name: dataset.target, classLabels: dataset.classLabels },
    riskThresholds: RISK_THRESHOLDS,
    onnx: {
      file: MODEL_FILE,
      sha256: sha256Hex(artifacts.onnx),
      input: { name: ONNX_INPUT, dtype: 'float32' },
      outputs: { label: ONNX_OUTPUT_LABEL, probabilities: ONNX_OUTPUT_PROBABILITIES },
      opsets: { ...OPSETS },
    },
    metrics: {
      threshold: DECISION_THRESHOLD,
      crossValidation: {
        folds: options.folds,
        seed: options.seed,
        rocAuc: over('rocAuc'),
        accuracy: over('accuracy'),
        f1: over('f1'),
        brier: over('brier'),
      },
      heldOut: classificationMetrics(dataset.labels, crossValidation.scores, DECISION_THRESHOLD),
      training: classificationMetrics(dataset.labels, trainingScores, DECISION_THRESHOLD),
    },
    trainingData: {
      file: basename(options.data),
      sha256: sha256Hex(artifacts.csv),
      rows: dataset.rows.length,
      positives: dataset.labels.reduce((sum, label) => sum + label, 0),
    },
    trainingTimeMs: Math.round(artifacts.trainingTimeMs),
    reference: referenceDistributions(dataset.features, dataset.rows),
  };
}

/** Writes every file into a temporary sibling directory, then swaps it in: a reader never sees half a model. */
function writeArtifacts(directory: string, files: Record<string, string | Uint8Array>): void {
  const staging = `${directory}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(join(staging, file), content);
  rmSync(directory, { recursive: true, force: true });
  renameSync(staging, directory);
}
