import type {
  NumericFeatureSpec as FeatureSpec,
  BinaryNumericManifest as ModelManifest,
} from '@glyco/contract';
import { html } from 'hono/html';
import { exampleRow } from '../model/example-row.ts';
import { formatNumber, formatRange } from './format.ts';
import { type Html, layout } from './layout.ts';

/** What the form calls a feature: its description, else its name. */
function labelOf(feature: FeatureSpec): string {
  return feature.description.trim() || feature.name;
}

function hintOf(feature: FeatureSpec, typical: number | null | undefined): string {
  return [
    `valid ${formatRange(feature.min, feature.max, feature.unit)}`,
    feature.dtype === 'integer' ? 'whole number' : '',
    typeof typical === 'number' ? `typical ${formatNumber(typical)}` : '',
    feature.nullable ? 'leave empty if not measured' : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

function field(feature: FeatureSpec, typical: number | null | undefined): Html {
  const { name } = feature;
  const label = labelOf(feature);
  const whole = feature.dtype === 'integer';
  return html`<div class="field">
<label for="feature-${name}">${label}${feature.unit ? html` <span class="unit">(${feature.unit})</span>` : ''}${
    feature.nullable ? html` <span class="tag">optional</span>` : ''
  }</label>
<p class="hint" id="hint-${name}"><code>${name}</code> · ${hintOf(feature, typical)}</p>
<p class="field-error" id="error-${name}" hidden></p>
<input id="feature-${name}" name="${name}" type="number" inputmode="${whole && feature.min >= 0 ? 'numeric' : 'decimal'}" step="${
    whole ? 1 : 'any'
  }" min="${feature.min}" max="${feature.max}"${feature.nullable ? '' : html` required`} autocomplete="off" aria-describedby="hint-${name}" data-label="${label}" data-typical="${typical ?? ''}">
</div>`;
}

/**
 * `GET /`: one labelled number input per manifest feature (valid range as min/max, optional ones marked), the
 * result next to the form, and the what-if charts below it. The script validates nothing itself: the API's
 * problem+json names the offending fields, so the page and the API can never disagree on what is valid.
 */
export function riskFormPage(manifest: ModelManifest): Html {
  const typical = exampleRow(manifest);
  const { target, riskThresholds } = manifest;
  const outcome = `${target.name} is ${target.classLabels[1]}`;
  const card = `/models/${encodeURIComponent(manifest.name)}`;
  const body = html`<h1>Estimate the risk of ${target.name}</h1>
<p class="lead">The model <a href="${card}">${manifest.name} ${manifest.version}</a> gives the probability that ${outcome}
from the measurements below. It is a screening aid, not a diagnosis.</p>
<div class="columns">
<section class="panel" aria-labelledby="form-heading">
<h2 id="form-heading">Measurements</h2>
<div id="error-summary" class="error-summary" tabindex="-1" aria-labelledby="error-summary-heading" hidden>
<h3 id="error-summary-heading">Check these values</h3>
<ul id="error-list"></ul>
</div>
<form id="risk-form" novalidate data-medium="${riskThresholds.medium}" data-high="${riskThresholds.high}" data-outcome="${outcome}">
<p class="form-note">Fields marked <span class="tag">optional</span> may be left empty when not measured: the model then
fills in the value it learned from its training data.</p>
<div class="fields">
${manifest.features.map((feature) => field(feature, typical[feature.name]))}
</div>
<div class="actions">
<button type="submit" class="primary">Estimate risk</button>
<button type="button" id="fill-typical" class="secondary">Fill in typical values</button>
<button type="reset" class="secondary">Clear</button>
</div>
</form>
<noscript><p>This form needs JavaScript. Without it, send the values as JSON to <code>POST /predict</code>
(see the <a href="/docs">API</a>).</p></noscript>
</section>
<section class="panel" aria-labelledby="result-heading">
<h2 id="result-heading">Result</h2>
<div id="result" aria-live="polite"><p class="placeholder">Enter the measurements and choose <strong>Estimate risk</strong>.</p></div>
</section>
</div>
<section id="what-if" class="panel" aria-labelledby="what-if-heading" hidden>
<h2 id="what-if-heading">What if one value were different?</h2>
<p class="lead">Each chart moves one value across its valid range and keeps every other value as entered, the values
that move the probability most first. Dot: the value entered. Shaded: the middle 90% of the training data. Dashed:
where medium (${riskThresholds.medium}) and high (${riskThresholds.high}) risk begin.</p>
<ul id="what-if-charts" class="charts"></ul>
</section>`;
  return layout({ title: `Risk of ${target.name}`, manifest, current: 'form', body, script: true });
}
