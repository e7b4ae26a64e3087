import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import {
  type Lineage,
  MANIFEST_FILE,
  MODEL_FILE,
  type ModelManifest,
  parseManifest,
  type Task,
} from '@glyco/contract';
import trainerPackage from '../package.json' with { type: 'json' };
import { csvFileRecords } from './csv.ts';
import { buildDataset, type Dataset } from './dataset.ts';
import { TrainingDataError } from './errors.ts';
import { readFeatureSchema, schemaPathBeside } from './feature-schema.ts';
import { buildManifest } from './manifest.ts';
import { modelArtifacts } from './model-card.ts';
import { exportOnnx } from './onnx/export.ts';
import { readTable } from './table.ts';
import type { TrainedModel } from './trained-model.ts';
import { type AlgorithmChoice, type ProgressEvent, trainModel } from './training.ts';

export const DEFAULT_VERSION = '1.0.0';

export type TrainCommandOptions = {
  data: string;
  /** Feature metadata; default: `<data without .csv>.schema.json` when it exists. */
  schema?: string | undefined;
  target: string;
  /** Undefined: inferred from the target column. */
  task?: Task | undefined;
  /** Binary only; undefined: inferred when the labels make it obvious (pos/neg, 1/0, yes/no, true/false). */
  positive?: string | undefined;
  name: string;
  version: string;
  out: string;
  algorithm: AlgorithmChoice;
  folds: number;
  seed: number;
  classWeight?: 'none' | 'balanced';
  /** Replace an existing model directory of the same name and version. */
  force: boolean;
  /** Worker threads for the fits (0: this thread); default: by the size of the data. */
  workers?: number | undefined;
  onProgress?: (event: ProgressEvent) => void;
  /** Recorded in the manifest of a retrained model: its run, its parent version, its data. */
  lineage?: Lineage | undefined;
  /** The clock, for tests; defaults to now. */
  now?: () => Date;
};

export type TrainCommandResult = {
  directory: string;
  manifest: ModelManifest;
  inferredFeatures: string[];
  /** The data as the model was trained on it, and the model as the trainer computes it. */
  dataset: Dataset;
  model: TrainedModel;
};

/** CSV in, `<out>/<name>/<version>/{model.onnx, manifest.json, card.md, *.svg}` out. */
export async function trainFromCsv(options: TrainCommandOptions): Promise<TrainCommandResult> {
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
  checkDataFile(options.data);
  const schemaPath = options.schema ?? schemaPathBeside(options.data);
  const schema = readFeatureSchema(schemaPath, options.schema !== undefined);
  let dataset: Dataset;
  try {
    dataset = buildDataset(readTable(csvFileRecords(options.data)), {
      target: options.target,
      task: options.task,
      positive: options.positive,
      schema,
    });
  } catch (error) {
    if (error instanceof TrainingDataError) throw new TrainingDataError(`${options.data}: ${error.message}`);
    throw error;
  }
  const classWeight = options.classWeight ?? 'none';
  const result = await trainModel(dataset, { ...options, classWeight });
  const onnx = exportOnnx(result.model, {
    producerName: trainerPackage.name,
    producerVersion: trainerPackage.version,
    modelName: options.name,
    features: dataset.features,
  });
  const manifest = parseManifest(
    buildManifest({
      dataset,
      result,
      onnx,
      trainer: { name: trainerPackage.name, version: trainerPackage.version },
      options: { ...options, classWeight },
      data: { file: basename(options.data), sha256: sha256OfFile(options.data) },
      createdAt: (options.now?.() ?? new Date()).toISOString(),
      trainingTimeMs: performance.now() - started,
      lineage: options.lineage,
    }),
  );
  writeArtifacts(directory, {
    [MODEL_FILE]: onnx,
    [MANIFEST_FILE]: `${JSON.stringify(manifest, null, 2)}\n`,
    ...modelArtifacts(manifest, result, dataset),
  });
  return { directory, manifest, inferredFeatures: dataset.inferredFeatures, dataset, model: result.model };
}

function checkDataFile(path: string): void {
  if (!existsSync(path)) throw new TrainingDataError(`data file ${path} does not exist`);
  if (statSync(path).isDirectory()) throw new TrainingDataError(`data file ${path} is a directory`);
}

/** The sha256 of a file, read a chunk at a time. */
function sha256OfFile(path: string): string {
  const hash = createHash('sha256');
  const buffer = new Uint8Array(1 << 20);
  const fd = openSync(path, 'r');
  try {
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer))
      hash.update(buffer.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
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
