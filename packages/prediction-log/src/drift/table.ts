import type { LivePerformance } from './live-performance.ts';
import type { DriftReport, FeatureDrift } from './report.ts';

const COLUMNS = [
  'feature',
  'values',
  'missing',
  'train missing',
  'PSI',
  'test',
  'statistic',
  'p',
  'status',
] as const;

/** The drift report as a plain-text table for a terminal. */
export function formatDriftTable(report: DriftReport): string {
  const { model, window, rows } = report;
  const span = [window.since && `since ${window.since}`, window.until && `until ${window.until}`].filter(
    Boolean,
  );
  const sampled =
    rows.analysed < rows.total ? `the latest ${rows.analysed} of ${rows.total}` : `${rows.total}`;
  const lines = [
    `${model.name} ${model.version}: ${sampled} logged predictions${span.length ? ` ${span.join(' ')}` : ''}`,
    `Drift is flagged where PSI > ${report.psi_threshold}; features with fewer than ${report.min_sample} values are not judged.`,
    'The test is Kolmogorov-Smirnov (KS) for numbers and chi-square (χ²) for categories; p is its p-value.',
    '',
    ...alignColumns([[...COLUMNS], ...report.features.map(featureCells)]),
    '',
    report.drifted.length > 0
      ? `DRIFT in ${report.drifted.length} feature(s): ${report.drifted.join(', ')}`
      : 'No drift flagged.',
    performanceLine(report.performance),
  ];
  return `${lines.join('\n')}\n`;
}

function featureCells(feature: FeatureDrift): string[] {
  const [test, statistic, p]: [string, number | null, number | null] =
    feature.kind === 'categorical'
      ? ['χ²', feature.chi_square, feature.chi_square_p_value]
      : ['KS', feature.ks, feature.ks_p_value];
  return [
    feature.feature,
    String(feature.count),
    percent(feature.missing_rate),
    percent(feature.reference_missing_rate),
    fixed(feature.psi, 3),
    test,
    fixed(statistic, 3),
    p === null ? '-' : p < 0.001 ? '<0.001' : p.toFixed(3),
    feature.status === 'drift' ? 'DRIFT' : feature.status,
  ];
}

function performanceLine(performance: LivePerformance | null): string {
  if (!performance) return 'No outcomes reported in this window (POST /v1/feedback), so no live accuracy.';
  const on = `Live performance on ${performance.outcomes} reported outcomes`;
  if (performance.task === 'regression') {
    return (
      `${on}: RMSE ${number(performance.rmse)} (held-out ${number(performance.reference_rmse)}), ` +
      `MAE ${number(performance.mae)} (held-out ${number(performance.reference_mae)}), ` +
      `mean residual ${number(performance.mean_residual)} (observed − predicted)`
    );
  }
  if (performance.task === 'multiclass') {
    return (
      `${on}: accuracy ${performance.accuracy.toFixed(3)} (held-out ${performance.reference_accuracy.toFixed(3)}), ` +
      `macro F1 ${performance.macro_f1.toFixed(3)} (held-out ${performance.reference_macro_f1.toFixed(3)})`
    );
  }
  const auc = performance.roc_auc === null ? 'n/a (one class only)' : performance.roc_auc.toFixed(3);
  return (
    `${on} (${performance.positives} positive): ` +
    `ROC AUC ${auc} (held-out ${performance.reference_roc_auc.toFixed(3)}), ` +
    `accuracy ${performance.accuracy.toFixed(3)}, Brier ${performance.brier.toFixed(3)}, ` +
    `mean probability ${performance.mean_probability.toFixed(3)} vs observed rate ${performance.observed_rate.toFixed(3)}`
  );
}

/** Left-aligns the first column and right-aligns the numbers. */
function alignColumns(table: string[][]): string[] {
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  return table.map((row) =>
    row
      .map((cell, column) =>
        column === 0 || column === row.length - 1
          ? cell.padEnd(widths[column]!)
          : cell.padStart(widths[column]!),
      )
      .join('  ')
      .trimEnd(),
  );
}

function percent(rate: number | null): string {
  return rate === null ? '-' : `${(rate * 100).toFixed(1)}%`;
}

function fixed(value: number | null, digits: number): string {
  return value === null ? '-' : value.toFixed(digits);
}

/** A value in the target's unit, to four significant digits. */
function number(value: number): string {
  return String(Number(value.toPrecision(4)));
}
