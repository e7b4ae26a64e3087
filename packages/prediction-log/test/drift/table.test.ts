import { describe, expect, it } from 'vitest';
import { driftReport } from '../../src/drift/report.ts';
import { formatDriftTable } from '../../src/drift/table.ts';
import { bundledManifest, sampleRows } from '../support/drift-samples.ts';

const manifest = bundledManifest();

describe('the drift report as a terminal table', () => {
  it('shows one aligned line per feature, marks the drifted ones and names them at the end', () => {
    const inputs = sampleRows(manifest, 1000, 7, { glucose: 40 });
    const labelled = { value: null, observedValue: null };
    const outcomes = [
      { probability: 0.8, prediction: 1, outcome: 1, ...labelled },
      { probability: 0.3, prediction: 0, outcome: 0, ...labelled },
    ];
    const report = driftReport({
      manifest,
      since: undefined,
      until: undefined,
      inputs,
      total: 5000,
      outcomes,
    });
    const lines = formatDriftTable(report).split('\n');
    expect(lines[0]).toBe(`${manifest.name} ${manifest.version}: the latest 1000 of 5000 logged predictions`);
    const header = lines.find((line) => line.startsWith('feature'))!;
    const glucose = lines.find((line) => line.startsWith('glucose'))!;
    const age = lines.find((line) => line.startsWith('age'))!;
    expect(glucose).toMatch(/ DRIFT$/);
    expect(age).toMatch(/ ok$/);
    // Right-aligned numbers end where their header ends.
    expect(glucose.indexOf(report.features[1]!.psi!.toFixed(3)) + 5).toBe(header.indexOf('PSI') + 3);
    expect(lines).toContain('DRIFT in 1 feature(s): glucose');
    expect(lines.find((line) => line.startsWith('Live performance'))).toContain('ROC AUC 1.000 (held-out');
  });

  it('says when nothing drifted and no outcome was reported', () => {
    const inputs = sampleRows(manifest, 500, 8);
    const text = formatDriftTable(
      driftReport({ manifest, since: undefined, until: undefined, inputs, total: 500, outcomes: [] }),
    );
    expect(text).toContain('No drift flagged.');
    expect(text).toContain('No outcomes reported in this window');
  });
});
