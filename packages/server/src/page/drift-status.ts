import type { ModelManifest } from '@glyco/contract';
import type { Logger } from '@glyco/logger';
import type { DriftReport, FeatureDrift, PredictionLog } from '@glyco/prediction-log';
import { html } from 'hono/html';
import { formatNumber, formatPercent } from './format.ts';
import type { Html } from './layout.ts';

/** The latest drift report of a served model over its logged predictions (the prediction log's drift query). */
export type LatestDrift = (manifest: ModelManifest) => Promise<DriftReport>;

export type DriftStatus =
  | { kind: 'no-log' }
  | { kind: 'private'; name: string }
  | { kind: 'unavailable' }
  | { kind: 'report'; report: DriftReport };

export interface DriftStatusDeps {
  latestDrift?: LatestDrift | undefined;
  predictionLog: PredictionLog;
  logger: Logger;
  /** When authentication is on, the public card leaves out what the logged predictions say. */
  authenticator: unknown;
}

/** What the model card says about drift: never an error page, whatever the log's database does. */
export async function readDriftStatus(manifest: ModelManifest, deps: DriftStatusDeps): Promise<DriftStatus> {
  if (!deps.latestDrift || deps.predictionLog.state().state === 'off') return { kind: 'no-log' };
  if (deps.authenticator) return { kind: 'private', name: manifest.name };
  try {
    return { kind: 'report', report: await deps.latestDrift(manifest) };
  } catch (error) {
    deps.logger.warn('model card: drift status unavailable', { error: (error as Error).message });
    return { kind: 'unavailable' };
  }
}

function verdict(report: DriftReport): Html {
  const { analysed, total } = report.rows;
  const sample = analysed < total ? `the latest ${analysed} of ${total}` : `${analysed}`;
  if (analysed === 0) return html`<p class="status">No predictions logged for this version yet.</p>`;
  if (report.drifted.length > 0) {
    return html`<p class="status status-drift">Drift in ${report.drifted.join(', ')}: PSI above
${report.psi_threshold} over ${sample} logged predictions.</p>`;
  }
  if (report.features.every((feature) => feature.status !== 'ok')) {
    return html`<p class="status">Not enough predictions to judge yet: ${sample} logged, and a feature needs at least
${report.min_sample} measured values.</p>`;
  }
  return html`<p class="status status-ok">No drift over ${sample} logged predictions (PSI at most ${report.psi_threshold}
for every feature judged).</p>`;
}

const fixed = (value: number | null) => (value === null ? '–' : value.toFixed(3));
const percent = (rate: number | null) => (rate === null ? '–' : formatPercent(rate));

function featureRow(feature: FeatureDrift): Html {
  const [test, p] =
    feature.kind === 'categorical' ? ['χ²', feature.chi_square_p_value] : ['KS', feature.ks_p_value];
  return html`<tr><th scope="row"><code>${feature.feature}</code></th><td class="number">${feature.count}</td>
<td class="number">${percent(feature.missing_rate)}</td><td class="number">${percent(feature.reference_missing_rate)}</td>
<td class="number">${fixed(feature.psi)}</td><td>${test}</td><td class="number">${fixed(p)}</td><td>${feature.status}</td></tr>`;
}

function livePerformance({ performance }: DriftReport): Html {
  if (!performance)
    return html`<p>No outcomes reported yet (<code>POST /v1/feedback</code>), so no live accuracy.</p>`;
  const on = `On ${performance.outcomes} reported outcomes`;
  if (performance.task === 'regression') {
    return html`<p>${on}: RMSE ${formatNumber(performance.rmse)} (held-out ${formatNumber(performance.reference_rmse)}),
MAE ${formatNumber(performance.mae)} (held-out ${formatNumber(performance.reference_mae)}), mean residual
${formatNumber(performance.mean_residual)}.</p>`;
  }
  if (performance.task === 'multiclass') {
    return html`<p>${on}: accuracy ${performance.accuracy.toFixed(3)} (held-out ${performance.reference_accuracy.toFixed(3)}),
macro F1 ${performance.macro_f1.toFixed(3)} (held-out ${performance.reference_macro_f1.toFixed(3)}).</p>`;
  }
  const auc =
    performance.roc_auc === null ? 'not defined yet (one class only)' : performance.roc_auc.toFixed(3);
  return html`<p>${on}: ROC AUC ${auc} (held-out
${performance.reference_roc_auc.toFixed(3)}), accuracy ${performance.accuracy.toFixed(3)}.</p>`;
}

function reportBody(report: DriftReport): Html {
  if (report.rows.analysed === 0) return verdict(report);
  return html`${verdict(report)}
${livePerformance(report)}
<p class="table-title" id="drift-title">Logged values against the training data, per feature</p>
<div class="table-scroll" role="region" aria-labelledby="drift-title" tabindex="0">
<table aria-labelledby="drift-title">
<thead><tr><th scope="col">feature</th><th scope="col" class="number">values</th><th scope="col" class="number">missing</th>
<th scope="col" class="number">missing in training</th><th scope="col" class="number">PSI</th>
<th scope="col">test</th><th scope="col" class="number">p-value</th><th scope="col">status</th></tr></thead>
<tbody>${report.features.map(featureRow)}</tbody>
</table>
</div>`;
}

export function driftSection(status: DriftStatus): Html {
  return html`<section class="panel" aria-labelledby="drift-heading">
<h2 id="drift-heading">Drift</h2>
${driftBody(status)}
</section>`;
}

function driftBody(status: DriftStatus): Html {
  switch (status.kind) {
    case 'no-log':
      return html`<p class="status">No prediction log.</p>
<p>Drift is measured on logged predictions, and this server does not log them.</p>`;
    case 'private':
      return html`<p class="status">Drift is not shown on this public page.</p>
<p>It is measured on logged predictions: read it with a <code>read-metrics</code> key at
<code>GET /v1/models/${status.name}/drift</code>.</p>`;
    case 'unavailable':
      return html`<p class="status">Drift status unavailable: the prediction log did not answer (see the server's logs).</p>`;
    case 'report':
      return reportBody(status.report);
  }
}
