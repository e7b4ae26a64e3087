import {
  type CategoricalFeatureSpec,
  type FeatureSpec,
  isCategorical,
  type ModelManifest,
  type NumericFeatureSpec,
} from '@glyco/contract';
import { html } from 'hono/html';
import { type ExampleValue, exampleRow } from '../model/example-row.ts';
import { formatNumber, formatRange } from './format.ts';
import { type Html, layout } from './layout.ts';

/** What the form calls a feature: its description, else its name. */
function labelOf(feature: FeatureSpec): string {
  return feature.description.trim() || feature.name;
}

function numericHint(feature: NumericFeatureSpec, typical: ExampleValue | undefined): string {
  return [
    `valid ${formatRange(feature.min, feature.max, feature.unit)}`,
    feature.dtype === 'integer' ? 'whole number' : '',
    typeof typical === 'number' ? `typical ${formatNumber(typical)}` : '',
    feature.nullable ? 'leave empty if not measured' : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

function categoricalHint(feature: CategoricalFeatureSpec, typical: ExampleValue | undefined): string {
  return [
    `one of ${feature.categories.length}`,
    typeof typical === 'string' ? `most often ${typical}` : '',
    feature.nullable ? 'leave unset if not known' : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

/**
 * The elements of one field. Ids come from the feature's position, not its name: a name may hold spaces or any
 * character an id cannot; the name itself is the control's `name`, which the script sends.
 */
function field(feature: FeatureSpec, index: number, typical: ExampleValue | undefined): Html {
  const { name } = feature;
  const label = labelOf(feature);
  const unit = isCategorical(feature) ? null : feature.unit;
  const hint = isCategorical(feature) ? categoricalHint(feature, typical) : numericHint(feature, typical);
  return html`<div class="field">
<label for="feature-${index}">${label}${unit ? html` <span class="unit">(${unit})</span>` : ''}${
    feature.nullable ? html` <span class="tag">optional</span>` : ''
  }</label>
<p class="hint" id="hint-${index}"><code>${name}</code> · ${hint}</p>
<p class="field-error" id="error-${index}" hidden></p>
${isCategorical(feature) ? select(feature, index, label, typical) : numberInput(feature, index, label, typical)}
</div>`;
}

function numberInput(
  feature: NumericFeatureSpec,
  index: number,
  label: string,
  typical: ExampleValue | undefined,
): Html {
  const whole = feature.dtype === 'integer';
  return html`<input id="feature-${index}" name="${feature.name}" type="number" inputmode="${whole && feature.min >= 0 ? 'numeric' : 'decimal'}" step="${
    whole ? 1 : 'any'
  }" min="${feature.min}" max="${feature.max}"${feature.nullable ? '' : html` required`} autocomplete="off" aria-describedby="hint-${index}" data-field="${index}" data-label="${label}" data-typical="${typical ?? ''}">`;
}

/** A categorical feature is chosen from its categories; an optional one may stay unset (missing). */
function select(
  feature: CategoricalFeatureSpec,
  index: number,
  label: string,
  typical: ExampleValue | undefined,
): Html {
  const unset = feature.nullable ? 'Not known' : 'Choose…';
  return html`<select id="feature-${index}" name="${feature.name}"${feature.nullable ? '' : html` required`} aria-describedby="hint-${index}" data-field="${index}" data-label="${label}" data-typical="${typical ?? ''}">
<option value="">${unset}</option>
${feature.categories.map((category) => html`<option value="${category}">${category}</option>`)}
</select>`;
}

/** The words of the page for a task: its title, what the model gives, and the button. */
function wording(manifest: ModelManifest): { title: string; gives: string; action: string } {
  if (manifest.task === 'binary') {
    const { name, classLabels } = manifest.target;
    return {
      title: `Estimate the risk of ${name}`,
      gives: `the probability that ${name} is ${classLabels[1]}`,
      action: 'Estimate risk',
    };
  }
  if (manifest.task === 'multiclass') {
    const { name, classLabels } = manifest.target;
    return {
      title: `Predict ${name}`,
      gives: `the probability of each ${name} (${classLabels.join(', ')})`,
      action: 'Predict',
    };
  }
  const { name, description, unit } = manifest.target;
  const coverage = Math.round(manifest.predictionInterval.coverage * 100);
  return {
    title: `Predict ${name}`,
    gives: `${description || name}${unit ? ` in ${unit}` : ''}, with a ${coverage}% interval`,
    action: 'Predict',
  };
}

/** What the script needs to draw the results of the task, as data attributes of the form. */
function taskData(manifest: ModelManifest): Html {
  if (manifest.task === 'binary') {
    const { riskThresholds, target } = manifest;
    return html` data-medium="${riskThresholds.medium}" data-high="${riskThresholds.high}" data-outcome="${target.name} is ${target.classLabels[1]}"`;
  }
  if (manifest.task === 'multiclass') {
    return html` data-classes="${JSON.stringify(manifest.target.classLabels)}" data-outcome="${manifest.target.name}"`;
  }
  const { min, max } = manifest.trainingData.targetSummary;
  return html` data-unit="${manifest.target.unit ?? ''}" data-outcome="${manifest.target.name}" data-min="${min}" data-max="${max}"`;
}

function whatIfLead(manifest: ModelManifest): Html {
  const common =
    'Each chart moves one value across its valid range (or through its categories) and keeps every other value as entered, the values that change the answer most first. Dot: the value entered. Shaded: the middle 90% of the training data.';
  if (manifest.task === 'binary') {
    const { medium, high } = manifest.riskThresholds;
    return html`${common} Dashed: where medium (${medium}) and high (${high}) risk begin.`;
  }
  if (manifest.task === 'multiclass') {
    return html`${common} One line per ${manifest.target.name}, its probability from 0 to 100%.`;
  }
  return html`${common} The vertical axis spans the ${manifest.target.name} values of the training data.`;
}

/**
 * `GET /`: one labelled field per manifest feature (a number input with its valid range, or a select of its
 * categories; optional ones marked), the result next to the form, and the what-if charts below it. The script
 * validates nothing itself: the API's problem+json names the offending fields, so the page and the API can never
 * disagree on what is valid.
 */
export function riskFormPage(manifest: ModelManifest): Html {
  const typical = exampleRow(manifest);
  const { title, gives, action } = wording(manifest);
  const card = `/models/${encodeURIComponent(manifest.name)}`;
  const body = html`<h1>${title}</h1>
<p class="lead">The model <a href="${card}">${manifest.name} ${manifest.version}</a> gives ${gives} from the values
below. It is a screening aid, not a diagnosis.</p>
<div class="columns">
<section class="panel" aria-labelledby="form-heading">
<h2 id="form-heading">Measurements</h2>
<div id="error-summary" class="error-summary" tabindex="-1" aria-labelledby="error-summary-heading" hidden>
<h3 id="error-summary-heading">Check these values</h3>
<ul id="error-list"></ul>
</div>
<form id="risk-form" novalidate data-task="${manifest.task}"${taskData(manifest)}>
<p class="form-note">Fields marked <span class="tag">optional</span> may be left empty when not measured: the model then
fills in the value it learned from its training data.</p>
<div class="fields">
${manifest.features.map((feature, index) => field(feature, index, typical[feature.name]))}
</div>
<div class="actions">
<button type="submit" class="primary">${action}</button>
<button type="button" id="fill-typical" class="secondary">Fill in typical values</button>
<button type="reset" class="secondary">Clear</button>
</div>
</form>
<noscript><p>This form needs JavaScript. Without it, send the values as JSON to <code>POST /predict</code>
(see the <a href="/docs">API</a>).</p></noscript>
</section>
<section class="panel" aria-labelledby="result-heading">
<h2 id="result-heading">Result</h2>
<div id="result" aria-live="polite"><p class="placeholder">Enter the values and choose <strong>${action}</strong>.</p></div>
</section>
</div>
<section id="what-if" class="panel" aria-labelledby="what-if-heading" hidden>
<h2 id="what-if-heading">What if one value were different?</h2>
<p class="lead">${whatIfLead(manifest)}</p>
<ul id="what-if-legend" class="legend" hidden></ul>
<ul id="what-if-charts" class="charts"></ul>
</section>`;
  return layout({ title, manifest, current: 'form', body, script: true });
}
