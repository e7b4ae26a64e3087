import {
  type BinaryModelManifest,
  CARD_FILE,
  type ClassificationMetrics,
  CONFUSION_MATRIX_FILE,
  type FeatureSpec,
  isCategorical,
  type ModelManifest,
  type MulticlassModelManifest,
  PREDICTED_VS_ACTUAL_FILE,
  primaryMetric,
  RESIDUALS_FILE,
  type RegressionModelManifest,
  ROC_FILE,
} from '@glyco/contract';
import { html } from 'hono/html';
import { exampleRow } from '../model/example-row.ts';
import { type DriftStatus, driftSection } from './drift-status.ts';
import { formatNumber, formatPercent, formatRange } from './format.ts';
import { type Html, layout } from './layout.ts';
import { modelFileUrl } from './model-files.ts';

/** The trainer's figures of a task, in the order the card shows them. */
export const TASK_FIGURES: Record<ModelManifest['task'], readonly string[]> = {
  binary: [ROC_FILE, CONFUSION_MATRIX_FILE],
  multiclass: [ROC_FILE, CONFUSION_MATRIX_FILE],
  regression: [PREDICTED_VS_ACTUAL_FILE, RESIDUALS_FILE],
};

export interface ModelCardProps {
  manifest: ModelManifest;
  /** Which of the task's figures (TASK_FIGURES) the model directory holds. */
  figures: ReadonlySet<string>;
  drift: DriftStatus;
}

/** One metric over the folds, pooled out of fold and on the training rows, shown with `digits` decimals. */
interface MetricRow {
  label: string;
  digits: number;
  crossValidated: { mean: number; sd: number };
  heldOut: number;
  training: number;
}

function metricRow({ label, digits, crossValidated, heldOut, training }: MetricRow): Html {
  const format = (value: number) => value.toFixed(digits);
  return html`<tr><th scope="row">${label}</th><td class="number">${format(crossValidated.mean)} ± ${format(crossValidated.sd)}</td>
<td class="number">${format(heldOut)}</td><td class="number">${format(training)}</td></tr>`;
}

function metricsTable(caption: Html, rows: readonly MetricRow[]): Html {
  return html`<p class="table-title" id="metrics-title">${caption}</p>
<div class="table-scroll" role="region" aria-labelledby="metrics-title" tabindex="0">
<table aria-labelledby="metrics-title">
<thead><tr><th scope="col">metric</th><th scope="col" class="number">mean ± sd over folds</th>
<th scope="col" class="number">pooled out-of-fold</th><th scope="col" class="number">refitted, on its training rows</th></tr></thead>
<tbody>${rows.map(metricRow)}</tbody>
</table>
</div>`;
}

/** The rows of `names` (with a label, and decimals: 3 unless given) from the three evaluations of a manifest. */
function rowsOf<Name extends string>(
  metrics: {
    crossValidation: Record<Name, { mean: number; sd: number }>;
    heldOut: Record<Name, unknown>;
    training: Record<Name, unknown>;
  },
  names: readonly (readonly [Name, string] | readonly [Name, string, number])[],
): MetricRow[] {
  return names.map(([name, label, digits = 3]) => ({
    label,
    digits,
    crossValidated: metrics.crossValidation[name],
    heldOut: metrics.heldOut[name] as number,
    training: metrics.training[name] as number,
  }));
}

function confusionText({ tp, fp, tn, fn }: ClassificationMetrics['confusionMatrix']): string {
  return `${tp} true positives, ${fp} false positives, ${tn} true negatives, ${fn} false negatives`;
}

function figure(present: boolean, src: string, alt: string, caption: string): Html {
  if (!present) return html`<p>${caption}: not in this model's directory.</p>`;
  return html`<figure><img src="${src}" alt="${alt}"><figcaption>${caption}</figcaption></figure>`;
}

function binaryPerformance(manifest: BinaryModelManifest, figures: ReadonlySet<string>): Html {
  const { metrics, name } = manifest;
  const { heldOut, crossValidation } = metrics;
  const table = metricsTable(
    html`Stratified ${crossValidation.folds}-fold cross-validation (seed ${crossValidation.seed}), decision threshold ${metrics.threshold}`,
    rowsOf(metrics, [
      ['rocAuc', 'ROC AUC'],
      ['accuracy', 'accuracy'],
      ['f1', 'F1'],
      ['brier', 'Brier score (lower is better)'],
    ]),
  );
  return html`${table}
<div class="figures">
${figure(
  figures.has(ROC_FILE),
  modelFileUrl(name, ROC_FILE),
  `ROC curve of the out-of-fold predictions, AUC ${heldOut.rocAuc.toFixed(3)}`,
  'ROC curve (cross-validated)',
)}
${figure(
  figures.has(CONFUSION_MATRIX_FILE),
  modelFileUrl(name, CONFUSION_MATRIX_FILE),
  `Confusion matrix at threshold ${metrics.threshold}: ${confusionText(heldOut.confusionMatrix)}`,
  'Confusion matrix (cross-validated)',
)}
</div>
<p>Out-of-fold confusion matrix at threshold ${metrics.threshold}: ${confusionText(heldOut.confusionMatrix)}.</p>`;
}

/** The K×K out-of-fold confusion matrix as a table: what a screen reader reads instead of the figure. */
function confusionTable(manifest: MulticlassModelManifest): Html {
  const labels = manifest.target.classLabels;
  const matrix = manifest.metrics.heldOut.confusionMatrix;
  return html`<p class="table-title" id="confusion-title">Out-of-fold confusion matrix: rows are the actual class, columns the predicted one</p>
<div class="table-scroll" role="region" aria-labelledby="confusion-title" tabindex="0">
<table aria-labelledby="confusion-title" class="confusion">
<thead><tr><th scope="col">actual \\ predicted</th>${labels.map((label) => html`<th scope="col" class="number">${label}</th>`)}</tr></thead>
<tbody>${labels.map(
    (label, k) =>
      html`<tr><th scope="row">${label}</th>${matrix[k]!.map(
        (count, j) => html`<td class="number${j === k ? ' diagonal' : ''}">${count}</td>`,
      )}</tr>`,
  )}</tbody>
</table>
</div>`;
}

function perClassTable(manifest: MulticlassModelManifest): Html {
  return html`<p class="table-title" id="classes-title">Per class, out of fold (one class against the rest)</p>
<div class="table-scroll" role="region" aria-labelledby="classes-title" tabindex="0">
<table aria-labelledby="classes-title">
<thead><tr><th scope="col">class</th><th scope="col" class="number">rows</th><th scope="col" class="number">precision</th>
<th scope="col" class="number">recall</th><th scope="col" class="number">F1</th><th scope="col" class="number">ROC AUC</th></tr></thead>
<tbody>${manifest.metrics.heldOut.perClass.map(
    (entry) => html`<tr><th scope="row">${entry.label}</th><td class="number">${entry.support}</td>
<td class="number">${entry.precision.toFixed(3)}</td><td class="number">${entry.recall.toFixed(3)}</td>
<td class="number">${entry.f1.toFixed(3)}</td><td class="number">${entry.rocAuc.toFixed(3)}</td></tr>`,
  )}</tbody>
</table>
</div>`;
}

function multiclassPerformance(manifest: MulticlassModelManifest, figures: ReadonlySet<string>): Html {
  const { metrics, name } = manifest;
  const { heldOut, crossValidation } = metrics;
  const table = metricsTable(
    html`Stratified ${crossValidation.folds}-fold cross-validation (seed ${crossValidation.seed}); the predicted class is the most probable one`,
    rowsOf(metrics, [
      ['rocAuc', 'macro ROC AUC (one-vs-rest)'],
      ['accuracy', 'accuracy'],
      ['macroF1', 'macro F1'],
      ['logLoss', 'log loss (lower is better)'],
    ]),
  );
  return html`${table}
${perClassTable(manifest)}
${confusionTable(manifest)}
<div class="figures">
${figure(
  figures.has(ROC_FILE),
  modelFileUrl(name, ROC_FILE),
  `ROC curves, one per class against the rest, out of fold; macro AUC ${heldOut.rocAuc.toFixed(3)}`,
  'ROC curves (cross-validated)',
)}
${figure(
  figures.has(CONFUSION_MATRIX_FILE),
  modelFileUrl(name, CONFUSION_MATRIX_FILE),
  `Confusion matrix of the ${manifest.target.classLabels.length} classes, out of fold, as in the table above`,
  'Confusion matrix (cross-validated)',
)}
</div>`;
}

function regressionPerformance(manifest: RegressionModelManifest, figures: ReadonlySet<string>): Html {
  const { metrics, name, predictionInterval, target } = manifest;
  const unit = target.unit ? ` ${target.unit}` : '';
  const { crossValidation } = metrics;
  const table = metricsTable(
    html`${crossValidation.folds}-fold cross-validation (seed ${crossValidation.seed}); errors in the target's unit${unit ? `,${unit}` : ''}`,
    rowsOf(metrics, [
      ['rmse', 'RMSE (lower is better)', 2],
      ['mae', 'MAE (lower is better)', 2],
      ['r2', 'R²'],
    ]),
  );
  const { coverage, residualLow, residualHigh } = predictionInterval;
  return html`${table}
<p>Prediction interval: the predicted value ${formatNumber(residualLow)} to +${formatNumber(residualHigh)}${unit} held the
true value for ${formatPercent(coverage)} of the out-of-fold predictions (their residual quantiles); every answer carries it.</p>
<div class="figures">
${figure(
  figures.has(PREDICTED_VS_ACTUAL_FILE),
  modelFileUrl(name, PREDICTED_VS_ACTUAL_FILE),
  `Out-of-fold predicted ${target.name} against the actual value, RMSE ${formatNumber(metrics.heldOut.rmse)}`,
  'Predicted against actual (cross-validated)',
)}
${figure(
  figures.has(RESIDUALS_FILE),
  modelFileUrl(name, RESIDUALS_FILE),
  `Out-of-fold residuals (actual minus predicted) against the predicted ${target.name}`,
  'Residuals (cross-validated)',
)}
</div>`;
}

function performanceSection({ manifest, figures }: ModelCardProps): Html {
  const body =
    manifest.task === 'regression'
      ? regressionPerformance(manifest, figures)
      : manifest.task === 'multiclass'
        ? multiclassPerformance(manifest, figures)
        : binaryPerformance(manifest, figures);
  return html`<section class="panel" aria-labelledby="performance-heading">
<h2 id="performance-heading">Performance</h2>
${body}
</section>`;
}

/** The graph's inputs and outputs, as the manifest names them. */
function graphFacts(manifest: ModelManifest): Html {
  const { input, categoricalInput } = manifest.onnx;
  const categorical = manifest.features.filter(isCategorical).length;
  const numeric = manifest.features.length - categorical;
  const outputs =
    manifest.task === 'regression'
      ? html`<code>${manifest.onnx.outputs.value}</code> float64 [N, 1], the value${manifest.target.unit ? ` in ${manifest.target.unit}` : ''}`
      : html`<code>${manifest.onnx.outputs.label}</code> int64 [N], the class index; <code>${manifest.onnx.outputs.probabilities}</code>
float32 [N, ${manifest.target.classLabels.length}], one column per class in the order ${manifest.target.classLabels.join(', ')}`;
  return html`<dt>Inputs</dt><dd><code>${input.name}</code> ${input.dtype} [N, ${numeric}], the numeric features' raw values in
the order below${
    categoricalInput
      ? html`; <code>${categoricalInput.name}</code> string [N, ${categorical}], the categorical features' categories`
      : ''
  }</dd>
<dt>Outputs</dt><dd>${outputs}</dd>`;
}

function modelSection(manifest: ModelManifest): Html {
  const { algorithm, onnx, trainer } = manifest;
  const hyperparameters = Object.entries(algorithm.hyperparameters).map(([key, value]) => `${key} ${value}`);
  const candidates = Object.entries(algorithm.candidates ?? {}).map(
    ([key, score]) => `${key} ${score.toFixed(3)}`,
  );
  const riskLevels =
    manifest.task === 'binary'
      ? html`<dt>Risk levels</dt><dd>low below ${manifest.riskThresholds.medium}, medium from ${manifest.riskThresholds.medium}, high from
${manifest.riskThresholds.high} (probability of ${manifest.target.classLabels[1]})</dd>`
      : '';
  return html`<section class="panel" aria-labelledby="model-heading">
<h2 id="model-heading">Model</h2>
<dl class="facts">
<dt>Algorithm</dt><dd>${algorithm.name}${hyperparameters.length ? ` (${hyperparameters.join(', ')})` : ''}${
    candidates.length
      ? `; chosen on mean cross-validated ${primaryMetric(manifest).label}: ${candidates.join(', ')}`
      : ''
  }</dd>
${riskLevels}
${graphFacts(manifest)}
<dt>model.onnx sha256</dt><dd><code class="hash">${onnx.sha256}</code></dd>
<dt>Trained by</dt><dd>${trainer.name} ${trainer.version} on ${manifest.createdAt}</dd>
</dl>
</section>`;
}

function featureRow(
  manifest: ModelManifest,
  feature: FeatureSpec,
  typical: number | string | undefined,
): Html {
  const reference = manifest.reference.find((candidate) => candidate.feature === feature.name);
  const missing = reference ? formatPercent(reference.missingRate) : '–';
  const typicalText = typeof typical === 'number' ? formatNumber(typical) : (typical ?? '–');
  if (isCategorical(feature)) {
    return html`<tr><th scope="row"><code>${feature.name}</code></th><td>${feature.description}</td><td class="nowrap"></td>
<td>category</td><td>${feature.categories.join(', ')}</td>
<td>${feature.nullable ? 'yes' : 'no'}</td><td>–</td>
<td class="number">${missing}</td><td class="number">${typicalText}</td></tr>`;
  }
  return html`<tr><th scope="row"><code>${feature.name}</code></th><td>${feature.description}</td><td class="nowrap">${feature.unit ?? ''}</td>
<td>${feature.dtype}</td><td class="number">${formatRange(feature.min, feature.max, null)}</td>
<td>${feature.nullable ? 'yes' : 'no'}</td><td>${feature.zeroMeansMissing ? 'yes' : 'no'}</td>
<td class="number">${missing}</td><td class="number">${typicalText}</td></tr>`;
}

function featuresSection(manifest: ModelManifest): Html {
  const typical = exampleRow(manifest);
  return html`<section class="panel" aria-labelledby="features-heading">
<h2 id="features-heading">Features</h2>
<p class="table-title" id="features-title">The input schema: requests outside a valid range or its categories are rejected, not extrapolated; typical: the training median, or the most frequent category</p>
<div class="table-scroll" role="region" aria-labelledby="features-title" tabindex="0">
<table aria-labelledby="features-title">
<thead><tr><th scope="col">name</th><th scope="col">description</th><th scope="col">unit</th><th scope="col">type</th>
<th scope="col">valid values</th><th scope="col">optional</th><th scope="col">zero means missing</th>
<th scope="col" class="number">missing in training</th><th scope="col" class="number">typical</th></tr></thead>
<tbody>${manifest.features.map((feature) => featureRow(manifest, feature, typical[feature.name]))}</tbody>
</table>
</div>
</section>`;
}

/** What the training rows held of the target, in the task's terms. */
function targetRows(manifest: ModelManifest): string {
  const { trainingData } = manifest;
  if (manifest.task === 'binary') {
    const { positives, rows } = manifest.trainingData;
    return `${rows}, of which ${positives} ${manifest.target.classLabels[1]} (${formatPercent(positives / rows)})`;
  }
  if (manifest.task === 'multiclass') {
    const { classCounts, rows } = manifest.trainingData;
    const counts = manifest.target.classLabels.map(
      (label, k) => `${classCounts[k]} ${label} (${formatPercent(classCounts[k]! / rows)})`,
    );
    return `${rows}: ${counts.join(', ')}`;
  }
  const { min, max, mean, sd } = manifest.trainingData.targetSummary;
  const unit = manifest.target.unit ? ` ${manifest.target.unit}` : '';
  return `${trainingData.rows}; ${manifest.target.name} from ${formatNumber(min)} to ${formatNumber(max)}${unit}, mean ${formatNumber(mean)}, standard deviation ${formatNumber(sd)}`;
}

function trainingDataSection(manifest: ModelManifest): Html {
  const { trainingData } = manifest;
  return html`<section class="panel" aria-labelledby="data-heading">
<h2 id="data-heading">Training data</h2>
<dl class="facts">
<dt>File</dt><dd><code>${trainingData.file}</code></dd>
<dt>Rows</dt><dd>${targetRows(manifest)}</dd>
<dt>sha256</dt><dd><code class="hash">${trainingData.sha256}</code></dd>
</dl>
</section>`;
}

/** What the model predicts, in one sentence. */
function leadOf(manifest: ModelManifest): string {
  if (manifest.task === 'binary') {
    const [negative, positive] = manifest.target.classLabels;
    return `A binary classifier: the probability that ${manifest.target.name} is ${positive} (rather than ${negative}).`;
  }
  if (manifest.task === 'multiclass') {
    const labels = manifest.target.classLabels;
    return `A multiclass classifier: the probability of each of the ${labels.length} classes of ${manifest.target.name} (${labels.join(', ')}).`;
  }
  const { name, description, unit } = manifest.target;
  return `A regression model: ${description || name}${unit ? `, in ${unit}` : ''}, with a prediction interval.`;
}

/** `GET /models/{name}`: the model card of the served model, from its manifest, figures and prediction log. */
export function modelCardPage(props: ModelCardProps): Html {
  const { manifest } = props;
  const { name, version } = manifest;
  const body = html`<h1>Model card: ${name} ${version}</h1>
<p class="lead">${leadOf(manifest)} Also as <a href="/v1/models/${encodeURIComponent(name)}">manifest JSON</a> and
<a href="${modelFileUrl(name, CARD_FILE)}">Markdown</a>.</p>
${performanceSection(props)}
${modelSection(manifest)}
${featuresSection(manifest)}
${trainingDataSection(manifest)}
${driftSection(props.drift)}`;
  return layout({ title: `Model card: ${name} ${version}`, manifest, current: 'card', body });
}

/** The page for a model name that is not served here. */
export function unknownModelPage(manifest: ModelManifest, requested: string): Html {
  const body = html`<h1>No model named “${requested}”</h1>
<p class="lead">This server serves <a href="/models/${encodeURIComponent(manifest.name)}">${manifest.name}
${manifest.version}</a>.</p>`;
  return layout({ title: 'Model not found', manifest, body });
}
