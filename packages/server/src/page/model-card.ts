import type {
  NumericFeatureSpec as FeatureSpec,
  BinaryMetrics as Metrics,
  BinaryNumericManifest as ModelManifest,
} from '@glyco/contract';
import { CARD_FILE, type ClassificationMetrics } from '@glyco/contract';
import { html } from 'hono/html';
import { type DriftStatus, driftSection } from './drift-status.ts';
import { formatNumber, formatPercent, formatRange } from './format.ts';
import { type Html, layout } from './layout.ts';
import { CONFUSION_MATRIX_FILE, modelFileUrl, ROC_FILE } from './model-files.ts';

export interface ModelCardProps {
  manifest: ModelManifest;
  /** Which of the trainer's figures the model directory holds. */
  figures: { roc: boolean; confusionMatrix: boolean };
  drift: DriftStatus;
}

type MetricName = 'rocAuc' | 'accuracy' | 'f1' | 'brier';
const METRICS: [MetricName, string][] = [
  ['rocAuc', 'ROC AUC'],
  ['accuracy', 'accuracy'],
  ['f1', 'F1'],
  ['brier', 'Brier score (lower is better)'],
];

function metricRow(metrics: Metrics, [name, label]: [MetricName, string]): Html {
  const { mean, sd } = metrics.crossValidation[name];
  return html`<tr><th scope="row">${label}</th><td class="number">${mean.toFixed(3)} ± ${sd.toFixed(3)}</td>
<td class="number">${metrics.heldOut[name].toFixed(3)}</td><td class="number">${metrics.training[name].toFixed(3)}</td></tr>`;
}

function confusionText({ tp, fp, tn, fn }: ClassificationMetrics['confusionMatrix']): string {
  return `${tp} true positives, ${fp} false positives, ${tn} true negatives, ${fn} false negatives`;
}

function figure(present: boolean, src: string, alt: string, caption: string): Html {
  if (!present) return html`<p>${caption}: not in this model's directory.</p>`;
  return html`<figure><img src="${src}" alt="${alt}"><figcaption>${caption}</figcaption></figure>`;
}

function performanceSection({ manifest, figures }: ModelCardProps): Html {
  const { metrics, name } = manifest;
  const { heldOut, crossValidation } = metrics;
  return html`<section class="panel" aria-labelledby="performance-heading">
<h2 id="performance-heading">Performance</h2>
<p class="table-title" id="metrics-title">Stratified ${crossValidation.folds}-fold cross-validation (seed ${crossValidation.seed}),
decision threshold ${metrics.threshold}</p>
<div class="table-scroll" role="region" aria-labelledby="metrics-title" tabindex="0">
<table aria-labelledby="metrics-title">
<thead><tr><th scope="col">metric</th><th scope="col" class="number">mean ± sd over folds</th>
<th scope="col" class="number">pooled out-of-fold</th><th scope="col" class="number">refitted, on its training rows</th></tr></thead>
<tbody>${METRICS.map((metric) => metricRow(metrics, metric))}</tbody>
</table>
</div>
<div class="figures">
${figure(
  figures.roc,
  modelFileUrl(name, ROC_FILE),
  `ROC curve of the out-of-fold predictions, AUC ${heldOut.rocAuc.toFixed(3)}`,
  'ROC curve (cross-validated)',
)}
${figure(
  figures.confusionMatrix,
  modelFileUrl(name, CONFUSION_MATRIX_FILE),
  `Confusion matrix at threshold ${metrics.threshold}: ${confusionText(heldOut.confusionMatrix)}`,
  'Confusion matrix (cross-validated)',
)}
</div>
<p>Out-of-fold confusion matrix at threshold ${metrics.threshold}: ${confusionText(heldOut.confusionMatrix)}.</p>
</section>`;
}

function modelSection(manifest: ModelManifest): Html {
  const { algorithm, onnx, riskThresholds, trainer, features } = manifest;
  const hyperparameters = Object.entries(algorithm.hyperparameters).map(([key, value]) => `${key} ${value}`);
  const candidates = Object.entries(algorithm.candidates ?? {}).map(
    ([key, auc]) => `${key} ${auc.toFixed(3)}`,
  );
  return html`<section class="panel" aria-labelledby="model-heading">
<h2 id="model-heading">Model</h2>
<dl class="facts">
<dt>Algorithm</dt><dd>${algorithm.name}${hyperparameters.length ? ` (${hyperparameters.join(', ')})` : ''}${
    candidates.length ? `; chosen on mean cross-validated ROC AUC: ${candidates.join(', ')}` : ''
  }</dd>
<dt>Risk levels</dt><dd>low below ${riskThresholds.medium}, medium from ${riskThresholds.medium}, high from
${riskThresholds.high} (probability of ${manifest.target.classLabels[1]})</dd>
<dt>Input</dt><dd><code>${onnx.input.name}</code> ${onnx.input.dtype} [N, ${features.length}], raw values in the
feature order below</dd>
<dt>model.onnx sha256</dt><dd><code class="hash">${onnx.sha256}</code></dd>
<dt>Trained by</dt><dd>${trainer.name} ${trainer.version} on ${manifest.createdAt}</dd>
</dl>
</section>`;
}

function featureRow(manifest: ModelManifest, feature: FeatureSpec): Html {
  const reference = manifest.reference.find((candidate) => candidate.feature === feature.name);
  return html`<tr><th scope="row"><code>${feature.name}</code></th><td>${feature.description}</td><td class="nowrap">${feature.unit ?? ''}</td>
<td>${feature.dtype}</td><td class="number">${formatRange(feature.min, feature.max, null)}</td>
<td>${feature.nullable ? 'yes' : 'no'}</td><td>${feature.zeroMeansMissing ? 'yes' : 'no'}</td>
<td class="number">${reference ? formatPercent(reference.missingRate) : '–'}</td>
<td class="number">${reference ? formatNumber(reference.quantiles[50]!) : '–'}</td></tr>`;
}

function featuresSection(manifest: ModelManifest): Html {
  return html`<section class="panel" aria-labelledby="features-heading">
<h2 id="features-heading">Features</h2>
<p class="table-title" id="features-title">The input schema: requests outside a valid range are rejected, not extrapolated</p>
<div class="table-scroll" role="region" aria-labelledby="features-title" tabindex="0">
<table aria-labelledby="features-title">
<thead><tr><th scope="col">name</th><th scope="col">description</th><th scope="col">unit</th><th scope="col">type</th>
<th scope="col" class="number">valid range</th><th scope="col">optional</th><th scope="col">zero means missing</th>
<th scope="col" class="number">missing in training</th><th scope="col" class="number">training median</th></tr></thead>
<tbody>${manifest.features.map((feature) => featureRow(manifest, feature))}</tbody>
</table>
</div>
</section>`;
}

function trainingDataSection({ trainingData, target }: ModelManifest): Html {
  return html`<section class="panel" aria-labelledby="data-heading">
<h2 id="data-heading">Training data</h2>
<dl class="facts">
<dt>File</dt><dd><code>${trainingData.file}</code></dd>
<dt>Rows</dt><dd>${trainingData.rows}, of which ${trainingData.positives} ${target.classLabels[1]}
(${formatPercent(trainingData.positives / trainingData.rows)})</dd>
<dt>sha256</dt><dd><code class="hash">${trainingData.sha256}</code></dd>
</dl>
</section>`;
}

/** `GET /models/{name}`: the model card of the served model, from its manifest, figures and prediction log. */
export function modelCardPage(props: ModelCardProps): Html {
  const { manifest } = props;
  const { target, name, version } = manifest;
  const body = html`<h1>Model card: ${name} ${version}</h1>
<p class="lead">A ${manifest.task} classifier: the probability that ${target.name} is ${target.classLabels[1]} (rather than
${target.classLabels[0]}). Also as <a href="/v1/models/${encodeURIComponent(name)}">manifest JSON</a> and
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
