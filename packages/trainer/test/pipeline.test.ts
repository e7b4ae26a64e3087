import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ModelManifest, parseManifest } from '@glyco/contract';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TrainCommandOptions, trainFromCsv } from '../src/pipeline.ts';
import { PIMA_CSV, PIMA_NA_CSV } from './pima.ts';

const COMMITTED = fileURLToPath(new URL('../../../models/pima-diabetes/1.0.0/', import.meta.url));
const FILES = ['model.onnx', 'manifest.json', 'card.md', 'roc.svg', 'confusion-matrix.svg'];

let out: string;
beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'glyco-train-'));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The README's command: glyco train --data data/pima-indians-diabetes.csv --target diabetes --positive pos --name pima-diabetes --out models */
const documented = (overrides: Partial<TrainCommandOptions> = {}): TrainCommandOptions => ({
  data: PIMA_CSV,
  target: 'diabetes',
  positive: 'pos',
  name: 'pima-diabetes',
  version: '1.0.0',
  out,
  algorithm: 'auto',
  folds: 5,
  seed: 42,
  force: false,
  ...overrides,
});

/** The parts of a manifest that legitimately differ between two runs. */
const stable = (manifest: ModelManifest) => ({
  ...manifest,
  createdAt: undefined,
  trainingTimeMs: undefined,
});

describe('trainFromCsv with the documented command', () => {
  let result: ReturnType<typeof trainFromCsv>;
  beforeAll(() => {
    result = trainFromCsv(documented());
  });

  it('reproduces the committed default model byte for byte', () => {
    for (const file of FILES.filter((f) => f !== 'manifest.json')) {
      const fresh = readFileSync(join(result.directory, file));
      expect(fresh.equals(readFileSync(join(COMMITTED, file))), `${file} differs`).toBe(true);
    }
    const committed = parseManifest(JSON.parse(readFileSync(join(COMMITTED, 'manifest.json'), 'utf8')));
    expect(stable(result.manifest)).toEqual(stable(committed));
  });

  it('meets the quality and time targets', () => {
    const { metrics, algorithm, trainingTimeMs } = result.manifest;
    expect(metrics.crossValidation.rocAuc.mean).toBeGreaterThanOrEqual(0.835);
    expect(metrics.crossValidation.rocAuc.perFold).toHaveLength(5);
    expect(Object.keys(algorithm.candidates ?? {})).toEqual(['logreg', 'gbt']);
    expect(algorithm.candidates?.[algorithm.name]).toBe(
      Math.max(...Object.values(algorithm.candidates ?? {})),
    );
    expect(trainingTimeMs).toBeLessThan(10_000);
  });

  it('writes a manifest whose sha256 and I/O names match the ONNX file', async () => {
    const { onnx } = result.manifest;
    const bytes = readFileSync(join(result.directory, 'model.onnx'));
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(onnx.sha256);
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual([onnx.input.name]);
    expect(session.outputNames).toEqual([onnx.outputs.label, onnx.outputs.probabilities]);
  });

  it('records the feature contract from the schema file beside the data', () => {
    const glucose = result.manifest.features.find((f) => f.name === 'glucose');
    expect(glucose).toMatchObject({
      unit: 'mg/dL',
      nullable: true,
      min: 1,
      max: 600,
      zeroMeansMissing: true,
    });
    expect(result.manifest.features.find((f) => f.name === 'age')).toMatchObject({
      nullable: false,
      dtype: 'integer',
    });
    expect(result.inferredFeatures).toEqual([]);
    const insulin = result.manifest.reference.find((r) => r.feature === 'insulin');
    expect(insulin?.missingRate).toBeCloseTo(374 / 768, 12);
  });

  it('links both charts from the model card', () => {
    const card = readFileSync(join(result.directory, 'card.md'), 'utf8');
    expect(card).toContain('![ROC curve](roc.svg)');
    expect(card).toContain('![Confusion matrix](confusion-matrix.svg)');
    expect(readFileSync(join(result.directory, 'roc.svg'), 'utf8')).toMatch(
      /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/,
    );
  });

  it('refuses to overwrite an existing version unless forced', () => {
    expect(() => trainFromCsv(documented({ algorithm: 'logreg' }))).toThrow(
      /already exists; choose another --version or pass --force/,
    );
    const forced = trainFromCsv(documented({ algorithm: 'gbt', force: true }));
    expect(forced.manifest.algorithm.name).toBe('gbt');
    expect(existsSync(`${forced.directory}.partial-${process.pid}`)).toBe(false);
  });
});

describe('trainFromCsv on the variant with empty cells', () => {
  it('gives the same model as the one with zeros, since both mean "not measured"', () => {
    const zeros = trainFromCsv(documented({ version: 'zeros', algorithm: 'logreg' }));
    const empty = trainFromCsv(documented({ data: PIMA_NA_CSV, version: 'empty', algorithm: 'logreg' }));
    expect(empty.manifest.metrics).toEqual(zeros.manifest.metrics);
    expect(empty.manifest.onnx.sha256).toBe(zeros.manifest.onnx.sha256);
  });
});
