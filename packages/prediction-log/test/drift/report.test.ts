import type { ModelManifest } from '@glyco/contract';
import { describe, expect, it } from 'vitest';
import { multiclassManifest, regressionManifest } from '../../../contract/test/fixture.ts';
import { driftReport, MIN_DRIFT_SAMPLE, PSI_DRIFT_THRESHOLD } from '../../src/drift/report.ts';
import type { LabelledPrediction } from '../../src/reader.ts';
import { bundledManifest, sampleRows } from '../support/drift-samples.ts';

const manifest = bundledManifest();
const report = (inputs: Record<string, unknown>[], outcomes = []) =>
  driftReport({ manifest, since: undefined, until: undefined, inputs, total: inputs.length, outcomes });

describe('drift report of logged inputs against the training reference', () => {
  it('flags nothing for a sample drawn from the training distribution', () => {
    const result = report(sampleRows(manifest, 2000, 1));
    expect(result.drifted).toEqual([]);
    expect(result.features.map((feature) => feature.status)).toEqual(manifest.features.map(() => 'ok'));
    for (const feature of result.features) {
      expect(feature.psi!).toBeLessThan(0.05);
      expect(feature.ks!).toBeLessThan(0.06);
    }
  });

  it('flags glucose, and only glucose, when live glucose runs 35 mg/dL higher', () => {
    const result = report(sampleRows(manifest, 2000, 2, { glucose: 35 }));
    expect(result.drifted).toEqual(['glucose']);
    const glucose = result.features.find((feature) => feature.feature === 'glucose')!;
    expect(glucose.status).toBe('drift');
    expect(glucose.psi!).toBeGreaterThan(PSI_DRIFT_THRESHOLD);
    expect(glucose.ks!).toBeGreaterThan(0.25);
    expect(glucose.ks_p_value!).toBeLessThan(0.001);
    expect(glucose.bins!.live.reduce((sum, share) => sum + share, 0)).toBeCloseTo(1, 10);
  });

  it('does not judge a feature on fewer values than the minimum sample, however shifted', () => {
    const result = report(sampleRows(manifest, MIN_DRIFT_SAMPLE - 1, 3, { glucose: 80 }));
    expect(result.drifted).toEqual([]);
    const glucose = result.features.find((feature) => feature.feature === 'glucose')!;
    expect(glucose.status).toBe('insufficient-data');
    expect(glucose.count).toBeLessThan(MIN_DRIFT_SAMPLE);
    expect(glucose.psi!).toBeGreaterThan(PSI_DRIFT_THRESHOLD);
  });

  it('counts nulls and the zeros that mean "not measured" as missing, not as values', () => {
    const rows = sampleRows(manifest, 400, 4).map((row, i) => ({ ...row, insulin: i % 2 ? 0 : null }));
    const insulin = report(rows).features.find((feature) => feature.feature === 'insulin')!;
    expect(insulin).toMatchObject({ count: 0, missing_rate: 1, status: 'insufficient-data', psi: null });
  });

  it('says how many rows it analysed out of how many the window holds, and reports no performance without outcomes', () => {
    const inputs = sampleRows(manifest, 300, 5);
    const result = driftReport({
      manifest,
      since: new Date('2026-01-01T00:00:00Z'),
      until: undefined,
      inputs,
      total: 12_345,
      outcomes: [],
    });
    expect(result.rows).toEqual({ analysed: 300, total: 12_345 });
    expect(result.window).toEqual({ since: '2026-01-01T00:00:00.000Z', until: null });
    expect(result.model).toEqual({ name: manifest.name, version: manifest.version });
    expect(result.performance).toBeNull();
  });
});

describe('drift report of a model with categorical features, per task', () => {
  const multiclass = multiclassManifest();
  const site = (result: ReturnType<typeof driftReport>) =>
    result.features.find((feature) => feature.feature === 'site')!;
  const reportOf = (
    manifest: ModelManifest,
    inputs: Record<string, unknown>[],
    outcomes: LabelledPrediction[] = [],
  ) => driftReport({ manifest, since: undefined, until: undefined, inputs, total: inputs.length, outcomes });

  it('judges a category mix like the training one as no drift: PSI and chi-square over the categories', () => {
    const drift = site(reportOf(multiclass, sampleRows(multiclass, 2000, 21)));
    expect(drift).toMatchObject({ kind: 'categorical', status: 'ok', ks: null, bins: null });
    expect(drift.psi!).toBeLessThan(0.01);
    expect(drift.chi_square_p_value!).toBeGreaterThan(0.01);
    expect(drift.categories).toEqual({
      names: ['north', 'south'],
      reference: [0.4, 0.6],
      live: expect.any(Array),
    });
    expect(drift.missing_rate!).toBeCloseTo(0.1, 1);
    expect(drift.reference_missing_rate).toBe(0.1);
  });

  it('flags a feature whose categories come in other proportions than in training', () => {
    const rows = sampleRows(multiclass, 2000, 22, {}, { site: { category: 'north', share: 0.6 } });
    const result = reportOf(multiclass, rows);
    expect(result.drifted).toEqual(['site']);
    const drift = site(result);
    expect(drift.psi!).toBeGreaterThan(PSI_DRIFT_THRESHOLD);
    expect(drift.chi_square!).toBeGreaterThan(100);
    expect(drift.chi_square_p_value!).toBeLessThan(0.001);
    expect(drift.categories!.live[0]).toBeCloseTo(0.4 + 0.6 * 0.6, 1);
  });

  it('gives a multiclass model its accuracy and macro F1, and a regression model its RMSE, on reported outcomes', () => {
    const row = { prediction: null, probability: null, outcome: null, value: null, observedValue: null };
    const classes = [
      { ...row, prediction: 0, probability: 0.9, outcome: 0 },
      { ...row, prediction: 2, probability: 0.6, outcome: 1 },
    ];
    const inputs = sampleRows(multiclass, 10, 23);
    expect(reportOf(multiclass, inputs, classes).performance).toMatchObject({
      task: 'multiclass',
      outcomes: 2,
      accuracy: 0.5,
      reference_accuracy: 0.96,
    });
    const regression = regressionManifest();
    const values = [
      { ...row, value: 150, observedValue: 160 },
      { ...row, value: 100, observedValue: 90 },
    ];
    expect(reportOf(regression, sampleRows(regression, 10, 24), values).performance).toEqual({
      task: 'regression',
      outcomes: 2,
      rmse: 10,
      mae: 10,
      mean_residual: 0,
      reference_rmse: 54,
      reference_mae: 44,
    });
  });
});
