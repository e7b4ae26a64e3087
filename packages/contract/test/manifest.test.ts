import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type BinaryModelManifest,
  ManifestError,
  parseManifest,
  primaryMetric,
  riskLevel,
} from '../src/index.ts';
import { binaryV2Manifest, multiclassManifest, regressionManifest, validManifest } from './fixture.ts';

const BUNDLED_1_0_0 = new URL('../../../models/pima-diabetes/1.0.0/manifest.json', import.meta.url);

describe('parseManifest', () => {
  it('accepts a complete manifest', () => {
    expect(parseManifest(validManifest()).name).toBe('pima-diabetes');
  });

  it('still loads the bundled pima-diabetes 1.0.0 manifest, written before other tasks existed', () => {
    const manifest = parseManifest(JSON.parse(readFileSync(BUNDLED_1_0_0, 'utf8')));
    expect(manifest).toMatchObject({ schemaVersion: 1, task: 'binary', name: 'pima-diabetes' });
    expect(manifest.task === 'binary' && manifest.trainingOptions).toBe(undefined);
  });

  it.each([
    ['binary, schema version 2', binaryV2Manifest],
    ['multiclass with a categorical feature', multiclassManifest],
    ['regression', regressionManifest],
  ] as const)('accepts a %s manifest as it is', (_, make) => {
    expect(parseManifest(make())).toEqual(make());
  });

  it('names the offending path when a field is wrong', () => {
    const manifest = validManifest();
    manifest.onnx.sha256 = 'not-a-hash';
    expect(() => parseManifest(manifest)).toThrow(/onnx\.sha256/);
  });

  it('rejects an unknown task, naming the field', () => {
    expect(() => parseManifest({ ...validManifest(), task: 'ranking' })).toThrow(/task/);
  });

  it('rejects duplicate feature names', () => {
    const manifest = validManifest();
    manifest.features.push({ ...manifest.features[0]! });
    expect(() => parseManifest(manifest)).toThrow(/duplicate feature "glucose"/);
  });

  it('rejects a feature whose valid range is empty', () => {
    const manifest = validManifest();
    manifest.features[0] = { ...manifest.features[0]!, min: 500 } as BinaryModelManifest['features'][0];
    expect(() => parseManifest(manifest)).toThrow(ManifestError);
  });

  it('accepts feature names with spaces and hyphens, not with surrounding spaces or control characters', () => {
    const named = (name: string) => {
      const manifest = validManifest();
      manifest.features[0] = { ...manifest.features[0]!, name };
      return manifest;
    };
    expect(parseManifest(named('blood pressure')).features[0]!.name).toBe('blood pressure');
    expect(parseManifest(named('HbA1c-level')).features[0]!.name).toBe('HbA1c-level');
    expect(() => parseManifest(named(' glucose'))).toThrow(/features\.0\.name/);
    expect(() => parseManifest(named('glu\ncose'))).toThrow(/features\.0\.name/);
    expect(() => parseManifest(named(''))).toThrow(/features\.0\.name/);
  });

  it('requires the record of how a schema version 2 model was trained', () => {
    const { trainingOptions: _, ...manifest } = binaryV2Manifest();
    expect(() => parseManifest(manifest)).toThrow(/trainingOptions: required/);
    expect(() => parseManifest({ ...multiclassManifest(), trainingOptions: undefined })).toThrow(
      /trainingOptions/,
    );
  });

  it('rejects a multiclass or regression manifest claiming schema version 1', () => {
    expect(() => parseManifest({ ...multiclassManifest(), schemaVersion: 1 })).toThrow(/schemaVersion/);
    expect(() => parseManifest({ ...regressionManifest(), schemaVersion: 1 })).toThrow(/schemaVersion/);
  });

  it('requires the categorical input exactly when a feature is categorical', () => {
    const manifest = multiclassManifest();
    delete manifest.onnx.categoricalInput;
    expect(() => parseManifest(manifest)).toThrow(/onnx\.categoricalInput: required/);
    const numeric = regressionManifest();
    numeric.onnx.categoricalInput = { name: 'categories', dtype: 'string' };
    expect(() => parseManifest(numeric)).toThrow(/onnx\.categoricalInput: only for models with categorical/);
  });

  it('rejects repeated categories and repeated class labels', () => {
    const manifest = multiclassManifest();
    manifest.features[1] = { ...manifest.features[1]!, categories: ['north', 'north'] } as never;
    expect(() => parseManifest(manifest)).toThrow(/features\.site: duplicate category "north"/);
    const labels = multiclassManifest();
    labels.target.classLabels = ['a', 'b', 'a'];
    expect(() => parseManifest(labels)).toThrow(/duplicate class "a"/);
  });

  it('rejects a confusion matrix that is not K×K', () => {
    const manifest = multiclassManifest();
    manifest.metrics.heldOut.confusionMatrix = [
      [1, 2],
      [3, 4],
    ];
    expect(() => parseManifest(manifest)).toThrow(/confusionMatrix: must be 3×3/);
  });

  it('rejects a primary metric other than the task’s', () => {
    const manifest = regressionManifest();
    manifest.metrics.primary = { metric: 'r2', direction: 'higher' };
    expect(() => parseManifest(manifest)).toThrow(
      /a regression model is compared on rmse \(lower is better\)/,
    );
  });

  it('rejects training options that describe another task or other data', () => {
    const manifest = regressionManifest();
    manifest.trainingOptions.task = 'binary';
    expect(() => parseManifest(manifest)).toThrow(/trainingOptions\.task/);
    const data = regressionManifest();
    data.trainingOptions.data.sha256 = 'c'.repeat(64);
    expect(() => parseManifest(data)).toThrow(/trainingOptions\.data\.sha256/);
  });

  it('rejects an inverted prediction interval', () => {
    const manifest = regressionManifest();
    manifest.predictionInterval = { coverage: 0.9, residualLow: 10, residualHigh: -10 };
    expect(() => parseManifest(manifest)).toThrow(/residualLow must not exceed residualHigh/);
  });
});

describe('primaryMetric', () => {
  it('is ROC AUC (higher is better) for binary models, schema version 1 included', () => {
    expect(primaryMetric(validManifest())).toEqual({
      metric: 'rocAuc',
      label: 'ROC AUC',
      direction: 'higher',
      crossValidated: { mean: 0.84, sd: 0.02, perFold: [0.82, 0.83, 0.84, 0.85, 0.86] },
      heldOut: 0.84,
    });
  });

  it('is macro ROC AUC for multiclass and RMSE (lower is better) for regression', () => {
    expect(primaryMetric(multiclassManifest())).toMatchObject({ label: 'macro ROC AUC', heldOut: 0.99 });
    expect(primaryMetric(regressionManifest())).toMatchObject({
      metric: 'rmse',
      direction: 'lower',
      heldOut: 54,
    });
  });
});

describe('riskLevel', () => {
  const thresholds = { medium: 0.3, high: 0.6 };
  it.each([
    [0, 'low'],
    [0.2999, 'low'],
    [0.3, 'medium'],
    [0.5999, 'medium'],
    [0.6, 'high'],
    [1, 'high'],
  ] as const)('probability %d is %s', (probability, level) => {
    expect(riskLevel(probability, thresholds)).toBe(level);
  });
});
