import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ModelManifest, parseManifest, primaryMetric } from '@glyco/contract';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitModel } from '../src/model-fitting.ts';
import { exportOnnx } from '../src/onnx/export.ts';
import { type TrainCommandOptions, type TrainCommandResult, trainFromCsv } from '../src/pipeline.ts';
import { allRows } from '../src/preprocessing.ts';
import { predictRows } from '../src/trained-model.ts';
import { modelData } from '../src/training.ts';
import { DATA_DIR, loadPima, MODELS_DIR, PIMA_CSV, PIMA_NA_CSV } from './data.ts';
import { rawRows, runOnnx } from './onnx-runner.ts';

/** Training takes seconds, more on a busy shared machine: these tests measure quality, not time. */
const TRAINING_TIMEOUT = 60_000;

let out: string;
beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'glyco-train-'));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

const options = (
  overrides: Partial<TrainCommandOptions> & Pick<TrainCommandOptions, 'data' | 'target' | 'name'>,
) => ({
  version: '1.0.0',
  out,
  algorithm: 'auto' as const,
  folds: 5,
  seed: 42,
  force: false,
  ...overrides,
});

/**
 * The README's commands that made the bundled models, e.g.
 * glyco train --data data/pima-indians-diabetes.csv --target diabetes --name pima-diabetes --version 1.1.0 --out models
 */
const BUNDLED = [
  { data: PIMA_CSV, target: 'diabetes', name: 'pima-diabetes', version: '1.1.0' },
  { data: `${DATA_DIR}iris.csv`, target: 'species', name: 'iris', version: '1.0.0' },
  {
    data: `${DATA_DIR}diabetes-progression.csv`,
    target: 'progression',
    name: 'diabetes-progression',
    version: '1.0.0',
  },
] as const;

/** The parts of a manifest that legitimately differ between two runs. */
const stable = (manifest: ModelManifest) => ({
  ...manifest,
  createdAt: undefined,
  trainingTimeMs: undefined,
});

describe.each(BUNDLED)('the bundled model $name $version', (bundled) => {
  const committed = join(MODELS_DIR, bundled.name, bundled.version);
  let result: TrainCommandResult;
  beforeAll(async () => {
    result = await trainFromCsv(options(bundled));
  }, TRAINING_TIMEOUT);

  it('is reproduced byte for byte by its documented command', () => {
    const files = readdirSync(committed).sort();
    expect(readdirSync(result.directory).sort()).toEqual(files);
    for (const file of files.filter((f) => f !== 'manifest.json')) {
      const fresh = readFileSync(join(result.directory, file));
      expect(fresh.equals(readFileSync(join(committed, file))), `${file} differs`).toBe(true);
    }
    const manifest = parseManifest(JSON.parse(readFileSync(join(committed, 'manifest.json'), 'utf8')));
    expect(stable(result.manifest)).toEqual(stable(manifest));
  });

  it('runs in onnxruntime with the outputs the trainer computes, to 1e-5 on every row of its data', async () => {
    const session = await ort.InferenceSession.create(readFileSync(join(committed, 'model.onnx')));
    const { dataset, model } = result;
    const onnx = await runOnnx(session, dataset.features, rawRows(dataset));
    const actual = dataset.task === 'regression' ? onnx.values! : onnx.probabilities!;
    const expected = predictRows(model, dataset);
    expect(actual).toHaveLength(expected.length);
    const gaps = Array.from(expected, (value, index) => Math.abs(value - actual[index]!));
    expect(Math.max(...gaps)).toBeLessThan(1e-5);
    if (dataset.task !== 'regression') {
      const k = dataset.target.classLabels.length;
      for (let row = 0; row < dataset.rows; row++) {
        expect(actual.slice(row * k, row * k + k).reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 6);
      }
    }
  });

  it('records every option needed to retrain it: retraining from trainingOptions gives the same model', {
    timeout: TRAINING_TIMEOUT,
  }, async () => {
    const { trainingOptions } = result.manifest;
    const schema = join(out, `${bundled.name}.schema.json`);
    writeFileSync(schema, JSON.stringify(trainingOptions!.schema));
    const again = await trainFromCsv({
      data: join(DATA_DIR, trainingOptions!.data.file),
      schema,
      target: trainingOptions!.target,
      task: trainingOptions!.task,
      positive: trainingOptions!.positive,
      algorithm: trainingOptions!.algorithm,
      folds: trainingOptions!.folds,
      seed: trainingOptions!.seed,
      classWeight: trainingOptions!.classWeight,
      name: result.manifest.name,
      version: 'retrained',
      out,
      force: false,
    });
    expect(again.manifest.trainingOptions!.data.sha256).toBe(trainingOptions!.data.sha256);
    expect(again.manifest.onnx.sha256).toBe(result.manifest.onnx.sha256);
    expect(again.manifest.metrics).toEqual(result.manifest.metrics);
  });
});

describe('quality on the bundled data (5-fold CV, seed 42)', () => {
  const committed = (name: string, version: string) =>
    parseManifest(JSON.parse(readFileSync(join(MODELS_DIR, name, version, 'manifest.json'), 'utf8')));

  it('pima-diabetes 1.1.0: CV ROC AUC ≥ 0.845, chosen by auto among logreg, gbt and their blend', () => {
    const manifest = committed('pima-diabetes', '1.1.0');
    expect(primaryMetric(manifest).crossValidated.mean).toBeGreaterThanOrEqual(0.845);
    expect(Object.keys(manifest.algorithm.candidates ?? {})).toEqual(['logreg', 'gbt', 'blend']);
    expect(manifest.algorithm.candidates?.[manifest.algorithm.name]).toBe(
      Math.max(...Object.values(manifest.algorithm.candidates ?? {})),
    );
  });

  it('iris 1.0.0: CV accuracy ≥ 0.95', () => {
    const manifest = committed('iris', '1.0.0');
    expect(
      manifest.task === 'multiclass' && manifest.metrics.crossValidation.accuracy.mean,
    ).toBeGreaterThanOrEqual(0.95);
  });

  it('diabetes-progression 1.0.0: CV R² ≥ 0.48, chosen on RMSE (lower is better)', () => {
    const manifest = committed('diabetes-progression', '1.0.0');
    expect(manifest.task === 'regression' && manifest.metrics.crossValidation.r2.mean).toBeGreaterThanOrEqual(
      0.48,
    );
    expect(manifest.algorithm.candidates?.[manifest.algorithm.name]).toBe(
      Math.min(...Object.values(manifest.algorithm.candidates ?? {})),
    );
  });

  it('wine: CV accuracy ≥ 0.98', { timeout: TRAINING_TIMEOUT }, async () => {
    const { manifest } = await trainFromCsv(
      options({ data: `${DATA_DIR}wine.csv`, target: 'cultivar', name: 'wine' }),
    );
    expect(manifest.task).toBe('multiclass');
    expect(
      manifest.task === 'multiclass' && manifest.metrics.crossValidation.accuracy.mean,
    ).toBeGreaterThanOrEqual(0.98);
  });
});

describe('the graph of a binary model on numeric features', () => {
  it('is exactly what the first trainer exported: logistic regression on Pima gives the bytes of pima-diabetes 1.0.0', () => {
    const { dataset } = loadPima();
    const model = fitModel(modelData(dataset, 'none'), {
      components: ['logreg'],
      rows: allRows(dataset.rows),
      seed: 42,
    });
    const onnx = exportOnnx(model, {
      producerName: '@glyco/trainer',
      producerVersion: '0.1.0',
      modelName: 'pima-diabetes',
      features: dataset.features,
    });
    expect(Buffer.from(onnx).equals(readFileSync(join(MODELS_DIR, 'pima-diabetes/1.0.0/model.onnx')))).toBe(
      true,
    );
  });
});

describe('trainFromCsv', () => {
  it('writes a manifest whose sha256 and I/O names match the ONNX file, and the feature contract from the schema', {
    timeout: TRAINING_TIMEOUT,
  }, async () => {
    const result = await trainFromCsv(
      options({ data: PIMA_CSV, target: 'diabetes', name: 'io', algorithm: 'logreg' }),
    );
    const { onnx } = result.manifest;
    const bytes = readFileSync(join(result.directory, 'model.onnx'));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(onnx.sha256);
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual([onnx.input.name]);
    expect(result.manifest.task === 'binary' && session.outputNames).toEqual(['label', 'probabilities']);
    expect(result.manifest.features.find((f) => f.name === 'glucose')).toMatchObject({
      unit: 'mg/dL',
      nullable: true,
      min: 1,
      max: 600,
      zeroMeansMissing: true,
    });
    expect(result.inferredFeatures).toEqual([]);
    const insulin = result.manifest.reference.find((r) => r.feature === 'insulin');
    expect(insulin?.missingRate).toBeCloseTo(374 / 768, 12);
    expect(result.manifest.trainingOptions).toMatchObject({
      task: 'binary',
      positive: 'pos',
      algorithm: 'logreg',
    });
  });

  it('links the charts of each task from the model card', () => {
    const card = (name: string, version: string) =>
      readFileSync(join(MODELS_DIR, name, version, 'card.md'), 'utf8');
    expect(card('pima-diabetes', '1.1.0')).toContain(
      '![ROC curve](roc.svg) ![Confusion matrix](confusion-matrix.svg)',
    );
    expect(card('iris', '1.0.0')).toContain(
      '![ROC curves](roc.svg) ![Confusion matrix](confusion-matrix.svg)',
    );
    expect(card('diabetes-progression', '1.0.0')).toContain(
      '![Predicted against actual](predicted-vs-actual.svg) ![Residuals](residuals.svg)',
    );
    const svg = readFileSync(join(MODELS_DIR, 'iris/1.0.0/confusion-matrix.svg'), 'utf8');
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.match(/<rect x="\d+" y="\d+" width="100" height="100"/g)).toHaveLength(9);
  });

  it('gives a regression model an interval that held 90% of the out-of-fold residuals', () => {
    const manifest = parseManifest(
      JSON.parse(readFileSync(join(MODELS_DIR, 'diabetes-progression/1.0.0/manifest.json'), 'utf8')),
    );
    if (manifest.task !== 'regression') throw new Error('expected a regression manifest');
    const { residualLow, residualHigh, coverage } = manifest.predictionInterval;
    const { actual, predicted } = manifest.metrics.heldOut.plot;
    expect(actual).toHaveLength(442);
    const inside = actual.filter(
      (a, i) => a - predicted[i]! >= residualLow && a - predicted[i]! <= residualHigh,
    );
    expect(inside.length / actual.length).toBeCloseTo(coverage, 1);
  });

  it('trains on categorical features end to end: categories in the feature schema, proportions as the drift reference', {
    timeout: TRAINING_TIMEOUT,
  }, async () => {
    const data = join(out, 'readmissions.csv');
    writeFileSync(
      data,
      `age,race,admission type,readmitted\n${Array.from({ length: 200 }, (_, i) => `${30 + (i % 50)},${['Caucasian', 'Asian', ''][i % 3]},${i % 4 ? 'Emergency' : 'Elective'},${(i * 7) % 5 < 2 ? 'yes' : 'no'}`).join('\n')}\n`,
    );
    const { manifest } = await trainFromCsv(options({ data, target: 'readmitted', name: 'readmissions' }));
    expect(manifest.task).toBe('binary');
    expect(manifest.onnx.categoricalInput).toEqual({ name: 'categories', dtype: 'string' });
    expect(manifest.features[1]).toEqual({
      name: 'race',
      description: 'race',
      dtype: 'category',
      nullable: true,
      categories: ['Asian', 'Caucasian'],
    });
    const race = manifest.reference.find((r) => r.feature === 'race');
    expect(race).toMatchObject({ categories: ['Asian', 'Caucasian'], proportions: [0.5, 0.5] });
    expect(race?.missingRate).toBeCloseTo(66 / 200, 12);
  });

  it('refuses to overwrite an existing version unless forced, and never leaves half a model', {
    timeout: TRAINING_TIMEOUT,
  }, async () => {
    const first = options({
      data: PIMA_CSV,
      target: 'diabetes',
      name: 'overwrite',
      algorithm: 'logreg' as const,
    });
    await trainFromCsv(first);
    await expect(trainFromCsv(first)).rejects.toThrow(
      /already exists; choose another --version or pass --force/,
    );
    const forced = await trainFromCsv({ ...first, algorithm: 'gbt', force: true });
    expect(forced.manifest.algorithm.name).toBe('gbt');
    expect(existsSync(`${forced.directory}.partial-${process.pid}`)).toBe(false);
  });

  it('gives the same model for empty cells as for zeros, since both mean "not measured"', {
    timeout: TRAINING_TIMEOUT,
  }, async () => {
    const base = { target: 'diabetes', name: 'zeros-or-empty', algorithm: 'logreg' as const };
    const zeros = await trainFromCsv(options({ ...base, data: PIMA_CSV, version: 'zeros' }));
    const empty = await trainFromCsv(options({ ...base, data: PIMA_NA_CSV, version: 'empty' }));
    expect(empty.manifest.metrics).toEqual(zeros.manifest.metrics);
    expect(empty.manifest.onnx.sha256).toBe(zeros.manifest.onnx.sha256);
  });
});
