import { describe, expect, it } from 'vitest';
import { driftReport, MIN_DRIFT_SAMPLE, PSI_DRIFT_THRESHOLD } from '../../src/drift/report.ts';
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
