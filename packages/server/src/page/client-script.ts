import type { ProblemBody } from '../http/problem.ts';
import type {
  BinaryRowPrediction,
  MulticlassRowPrediction,
  RegressionRowPrediction,
  RowPrediction,
} from '../prediction/row-prediction.ts';
import type { FeatureWhatIf, WhatIfResult } from './what-if.ts';

/** What `POST /predict` answers for one row. */
type Prediction = RowPrediction & { model: { name: string; version: string }; request_id: string };

/**
 * The form's behaviour in the browser: send the row to `POST /predict` and `POST /what-if` as JSON, show the
 * answer of the model's task (a probability and risk level, every class's probability, or a value with its
 * interval), draw the what-if charts, and put every input error the API names next to its field. The browser
 * receives this function's source text (see assets.ts), so it must use nothing from outside its own body but types.
 */
export function riskPageScript(): void {
  type Attributes = Record<string, string | number>;
  type Field = HTMLInputElement | HTMLSelectElement;

  const form = document.getElementById('risk-form');
  if (!(form instanceof HTMLFormElement)) return;
  const summary = document.getElementById('error-summary')!;
  const summaryList = document.getElementById('error-list')!;
  const result = document.getElementById('result')!;
  const whatIf = document.getElementById('what-if')!;
  const charts = document.getElementById('what-if-charts')!;
  const legend = document.getElementById('what-if-legend')!;
  const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
  const fields = Array.from(form.querySelectorAll<Field>('[data-field]'));
  const { task = 'binary', outcome = 'the positive class' } = form.dataset;
  const thresholds = { medium: Number(form.dataset.medium), high: Number(form.dataset.high) };
  const classes: string[] = task === 'multiclass' ? JSON.parse(form.dataset.classes ?? '[]') : [];
  const unit = form.dataset.unit ? ` ${form.dataset.unit}` : '';
  /** A regression model's training range, the span of its value axes. */
  const valueRange = { min: Number(form.dataset.min), max: Number(form.dataset.max) };
  const initialResult = Array.from(result.childNodes, (node) => node.cloneNode(true));

  // As format.ts does on the server: only this function's text reaches the browser, not its imports.
  const formatNumber = (value: number) => String(Number(value.toPrecision(4)));
  const formatPercent = (proportion: number) => `${(proportion * 100).toFixed(1)}%`;
  /** A threshold as set, without a decimal it does not have: 0.3 → "30%". */
  const thresholdPercent = (proportion: number) => `${formatNumber(proportion * 100)}%`;
  /** One number of the task's answers as people read it: a probability, or a value in the target's unit. */
  const formatOutput = (value: number) =>
    task === 'regression' ? `${formatNumber(value)}${unit}` : formatPercent(value);

  function element<K extends keyof HTMLElementTagNameMap>(
    tag: K,
    attributes: Attributes = {},
    ...children: (Node | string)[]
  ): HTMLElementTagNameMap[K] {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    node.append(...children);
    return node;
  }

  function svg(tag: string, attributes: Attributes = {}, ...children: (Node | string)[]): SVGElement {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag) as SVGElement;
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    node.append(...children);
    return node;
  }

  function fieldFor(pointer: string): Field | undefined {
    const segments = pointer.replace(/^#\/?/, '').split('/');
    if (segments.length !== 1) return undefined;
    // The URI fragment form of an RFC 6901 pointer: percent-decoded first, then `~1` and `~0` unescaped.
    const name = decodeURIComponent(segments[0]!).replaceAll('~1', '/').replaceAll('~0', '~');
    return fields.find((field) => field.name === name);
  }

  const errorOf = (field: Field) => document.getElementById(`error-${field.dataset.field}`)!;

  function markField(field: Field, message: string): void {
    const error = errorOf(field);
    error.textContent = message;
    error.hidden = false;
    field.closest('.field')?.classList.add('has-error');
    field.setAttribute('aria-invalid', 'true');
    field.setAttribute('aria-describedby', `${error.id} hint-${field.dataset.field}`);
  }

  function clearErrors(): void {
    for (const field of fields) {
      const error = errorOf(field);
      error.textContent = '';
      error.hidden = true;
      field.closest('.field')?.classList.remove('has-error');
      field.removeAttribute('aria-invalid');
      field.setAttribute('aria-describedby', `hint-${field.dataset.field}`);
    }
    summaryList.replaceChildren();
    summary.hidden = true;
  }

  function fieldItem(field: Field, message: string): HTMLLIElement {
    markField(field, message);
    return element('li', {}, element('a', { href: `#${field.id}` }, `${field.dataset.label}: ${message}`));
  }

  function showSummary(items: HTMLLIElement[]): void {
    summaryList.replaceChildren(...items);
    summary.hidden = false;
    summary.focus();
    result.replaceChildren(
      element('p', { class: 'placeholder' }, 'No result: correct the values listed above.'),
    );
    whatIf.hidden = true;
  }

  function showProblem(problem: Partial<ProblemBody>): void {
    const items: HTMLLIElement[] = [];
    for (const error of problem.errors ?? []) {
      const field = fieldFor(error.pointer);
      items.push(field ? fieldItem(field, error.detail) : element('li', {}, error.detail));
    }
    if (items.length === 0)
      items.push(element('li', {}, problem.detail ?? problem.title ?? 'The request failed.'));
    showSummary(items);
  }

  /** A horizontal scale 300 units wide: `x` maps a value of [from, to] onto it. */
  function scale(marker: number, from: number, to: number, ...bands: SVGElement[]): SVGElement {
    const width = 300;
    const x = (value: number) => (((value - from) / (to - from || 1)) * width).toFixed(1);
    const tick = (value: number, anchor: string, text: string) =>
      svg('text', { x: x(value), y: 34, 'text-anchor': anchor }, text);
    return svg(
      'svg',
      { class: 'scale', viewBox: `0 -2 ${width} 40`, 'aria-hidden': 'true', focusable: 'false' },
      ...bands,
      svg('line', { class: 'marker', x1: x(marker), x2: x(marker), y1: -2, y2: 22 }),
      ...(task === 'binary'
        ? [
            tick(0, 'start', '0%'),
            tick(thresholds.medium, 'middle', thresholdPercent(thresholds.medium)),
            tick(thresholds.high, 'middle', thresholdPercent(thresholds.high)),
            tick(1, 'end', '100%'),
          ]
        : [tick(from, 'start', formatNumber(from)), tick(to, 'end', formatNumber(to))]),
    );
  }

  function zone(name: string, from: number, to: number, min: number, max: number): SVGElement {
    const x = (value: number) => ((value - min) / (max - min || 1)) * 300;
    return svg('rect', {
      class: name,
      x: x(Math.max(from, min)).toFixed(1),
      y: 2,
      width: Math.max(0, x(Math.min(to, max)) - x(Math.max(from, min))).toFixed(1),
      height: 16,
    });
  }

  function facts(...rows: [string, string][]): HTMLDListElement {
    const list = element('dl', { class: 'facts' });
    for (const [term, value] of rows) list.append(element('dt', {}, term), element('dd', {}, value));
    return list;
  }

  const modelFacts = (prediction: Prediction): [string, string][] => [
    ['Model', `${prediction.model.name} ${prediction.model.version}`],
    ['Request id', prediction.request_id],
  ];

  function binaryResult(prediction: Prediction & BinaryRowPrediction): Node[] {
    const { probability, risk_level: level } = prediction;
    return [
      element(
        'p',
        { class: 'probability' },
        element('span', { class: 'result-value', 'data-value': probability }, formatPercent(probability)),
        `probability that ${outcome}`,
      ),
      element(
        'p',
        {},
        'Risk level: ',
        element('span', { class: `risk risk-${level}` }, level),
        ` (medium from ${thresholdPercent(thresholds.medium)}, high from ${thresholdPercent(thresholds.high)})`,
      ),
      scale(
        probability,
        0,
        1,
        zone('zone-low', 0, thresholds.medium, 0, 1),
        zone('zone-medium', thresholds.medium, thresholds.high, 0, 1),
        zone('zone-high', thresholds.high, 1, 0, 1),
      ),
      facts(['Predicted class', prediction.label], ...modelFacts(prediction)),
    ];
  }

  /** One bar per class, its probability as the bar's length and as text; the predicted class first in weight. */
  function multiclassResult(prediction: Prediction & MulticlassRowPrediction): Node[] {
    const { label, probabilities } = prediction;
    const bars = element('ul', { class: 'class-bars', 'aria-label': `Probability of each ${outcome}` });
    for (const [k, name] of classes.entries()) {
      const share = probabilities[name] ?? 0;
      bars.append(
        element(
          'li',
          { class: name === label ? 'predicted' : '', 'data-class': name },
          element('span', { class: 'class-name' }, name),
          svg(
            'svg',
            { class: 'bar', viewBox: '0 0 100 10', preserveAspectRatio: 'none', 'aria-hidden': 'true' },
            svg('rect', { class: 'track', width: 100, height: 10 }),
            svg('rect', { class: `fill series-${k % 6}`, width: (share * 100).toFixed(2), height: 10 }),
          ),
          element('span', { class: 'class-share' }, formatPercent(share)),
        ),
      );
    }
    return [
      element(
        'p',
        { class: 'probability' },
        element('span', { class: 'result-value', 'data-value': label }, label),
        `the most probable ${outcome}, at ${formatPercent(probabilities[label] ?? 0)}`,
      ),
      bars,
      facts(...modelFacts(prediction)),
    ];
  }

  /** The value, its interval as text and on a scale across the training data's range. */
  function regressionResult(prediction: Prediction & RegressionRowPrediction): Node[] {
    const { value, interval } = prediction;
    const coverage = Math.round(interval.coverage * 100);
    const min = Math.min(valueRange.min, interval.low);
    const max = Math.max(valueRange.max, interval.high);
    return [
      element(
        'p',
        { class: 'probability' },
        element('span', { class: 'result-value', 'data-value': value }, `${formatNumber(value)}${unit}`),
        `predicted ${outcome}`,
      ),
      element(
        'p',
        { class: 'interval' },
        `${coverage}% interval: ${formatNumber(interval.low)} to ${formatNumber(interval.high)}${unit}`,
      ),
      scale(
        value,
        min,
        max,
        zone('zone-range', valueRange.min, valueRange.max, min, max),
        zone('zone-interval', interval.low, interval.high, min, max),
      ),
      facts(...modelFacts(prediction)),
    ];
  }

  function showResult(prediction: Prediction): void {
    const nodes =
      'value' in prediction
        ? regressionResult(prediction)
        : 'probabilities' in prediction
          ? multiclassResult(prediction)
          : binaryResult(prediction);
    result.replaceChildren(...nodes);
    if (result.getBoundingClientRect().top > window.innerHeight) result.scrollIntoView({ block: 'start' });
  }

  /** The series a chart's caption and dot follow: the predicted class for a multiclass model, else the only one. */
  function mainSeries(answer: RowPrediction): number {
    return 'probabilities' in answer ? Math.max(0, classes.indexOf(answer.label)) : 0;
  }

  /** The vertical axis: probabilities from 0 to 1; values across the training range and every point. */
  function yAxis(sweeps: readonly FeatureWhatIf[]): { low: number; high: number } {
    if (task !== 'regression') return { low: 0, high: 1 };
    const all = sweeps.flatMap((curve) => curve.points.map((point) => point.outputs[0]!));
    return { low: Math.min(valueRange.min, ...all), high: Math.max(valueRange.max, ...all) };
  }

  function chart(
    curve: FeatureWhatIf,
    answer: RowPrediction,
    axis: { low: number; high: number },
  ): HTMLLIElement {
    const [width, height, left, right, top, bottom] = [240, 128, 34, 8, 6, 22];
    const plotWidth = width - left - right;
    const plotHeight = height - top - bottom;
    const categorical = curve.kind === 'categorical';
    const min = curve.min ?? 0;
    const span = (curve.max ?? 1) - min || 1;
    const band = plotWidth / Math.max(1, curve.points.length);
    /** A numeric value along its range; the i-th category at the middle of its band. */
    const x = (value: number | string, i: number) =>
      (categorical ? left + band * (i + 0.5) : left + (((value as number) - min) / span) * plotWidth).toFixed(
        1,
      );
    const y = (output: number) =>
      (top + (1 - (output - axis.low) / (axis.high - axis.low || 1)) * plotHeight).toFixed(1);
    const parts: SVGElement[] = [];
    if (curve.typical_range) {
      const [from, to] = curve.typical_range;
      const start = Math.max(from, min);
      parts.push(
        svg('rect', {
          class: 'band',
          x: x(start, 0),
          y: top,
          width: Math.max(0, ((Math.min(to, min + span) - start) / span) * plotWidth).toFixed(1),
          height: plotHeight,
        }),
      );
    }
    if (task === 'binary') {
      for (const threshold of [thresholds.medium, thresholds.high]) {
        const at = y(threshold);
        parts.push(svg('line', { class: 'threshold', x1: left, x2: left + plotWidth, y1: at, y2: at }));
      }
    }
    const axisText = (value: number) =>
      task === 'regression' ? formatNumber(value) : `${Math.round(value * 100)}%`;
    parts.push(
      svg('line', { class: 'axis', x1: left, x2: left + plotWidth, y1: y(axis.low), y2: y(axis.low) }),
      svg('line', { class: 'axis', x1: left, x2: left, y1: y(axis.low), y2: y(axis.high) }),
      svg('text', { x: left - 4, y: Number(y(axis.high)) + 8, 'text-anchor': 'end' }, axisText(axis.high)),
      svg('text', { x: left - 4, y: y(axis.low), 'text-anchor': 'end' }, axisText(axis.low)),
    );
    if (!categorical) {
      parts.push(
        svg('text', { x: left, y: height - 6 }, formatNumber(min)),
        svg('text', { x: left + plotWidth, y: height - 6, 'text-anchor': 'end' }, formatNumber(min + span)),
      );
    } else if (curve.points.length <= 8) {
      curve.points.forEach((point, i) => {
        const text = String(point.value);
        parts.push(
          svg(
            'text',
            { x: x(point.value, i), y: height - 6, 'text-anchor': 'middle' },
            text.length > 9 ? `${text.slice(0, 8)}…` : text,
          ),
        );
      });
    }
    const series = curve.points[0]?.outputs.length ?? 0;
    for (let s = 0; s < series; s++) {
      if (categorical) {
        curve.points.forEach((point, i) => {
          const [at, half] = [Number(x(point.value, i)), Math.min(12, band * 0.35)];
          const level = y(point.outputs[s]!);
          parts.push(
            svg('line', {
              class: `mark series-${s % 6}`,
              x1: at - half,
              x2: at + half,
              y1: level,
              y2: level,
            }),
          );
        });
      } else {
        const points = curve.points
          .map((point, i) => `${x(point.value, i)},${y(point.outputs[s]!)}`)
          .join(' ');
        parts.push(svg('polyline', { class: `curve series-${s % 6}`, points }));
      }
    }
    const main = mainSeries(answer);
    const ownIndex = curve.points.findIndex((point) => point.value === curve.value);
    const own = curve.points[ownIndex];
    if (own) {
      parts.push(
        svg('circle', { class: 'now', cx: x(own.value, ownIndex), cy: y(own.outputs[main]!), r: 4.5 }),
      );
    }

    const outputs = curve.points.map((point) => point.outputs[main]!);
    const lowest = outputs.indexOf(Math.min(...outputs));
    const highest = outputs.indexOf(Math.max(...outputs));
    const featureUnit = curve.unit ? ` ${curve.unit}` : '';
    const label = fields.find((field) => field.name === curve.feature)?.dataset.label ?? curve.feature;
    const what =
      task === 'multiclass' ? `Probability of ${classes[main]}` : task === 'binary' ? 'Probability' : outcome;
    const moves = categorical
      ? `${formatOutput(outputs[lowest]!)} (${curve.points[lowest]?.value}) to ${formatOutput(outputs[highest]!)} (${curve.points[highest]?.value})`
      : `${formatOutput(outputs[lowest]!)} to ${formatOutput(outputs[highest]!)} across ${formatNumber(min)}–${formatNumber(min + span)}${featureUnit}`;
    const now = own
      ? `; ${formatOutput(own.outputs[main]!)} at ${categorical ? own.value : formatNumber(own.value as number)}${categorical ? '' : featureUnit} (entered)`
      : categorical
        ? '; not entered (the model takes it as unknown)'
        : '; not entered (the model imputes it)';
    return element(
      'li',
      { 'data-feature': curve.feature },
      element(
        'figure',
        { class: 'chart' },
        svg(
          'svg',
          { viewBox: `0 0 ${width} ${height}`, 'aria-hidden': 'true', focusable: 'false' },
          ...parts,
        ),
        element('figcaption', {}, element('strong', {}, label), `${what} ${moves}${now}.`),
      ),
    );
  }

  /** A multiclass chart draws one line per class: the legend says which is which (colour and dash). */
  function showLegend(series: readonly string[]): void {
    legend.hidden = task !== 'multiclass';
    legend.replaceChildren(
      ...series.map((name, s) =>
        element(
          'li',
          {},
          svg(
            'svg',
            { viewBox: '0 0 24 8', 'aria-hidden': 'true', focusable: 'false' },
            svg('line', { class: `curve series-${s % 6}`, x1: 0, x2: 24, y1: 4, y2: 4 }),
          ),
          name,
        ),
      ),
    );
  }

  // With authentication on, the page asks for an API key at the first 401 and keeps it for this tab only
  // (sessionStorage: gone when the tab closes), sent as X-API-Key. Requests running together ask once.
  const KEY_STORAGE = 'glyco-api-key';
  let keyAsked: Promise<boolean> | undefined;
  function askForKey(): Promise<boolean> {
    keyAsked ??= new Promise((resolve) => {
      const key = window.prompt(
        'This server needs an API key with the predict scope (kept in this tab only):',
      );
      if (key?.trim()) sessionStorage.setItem(KEY_STORAGE, key.trim());
      resolve(Boolean(key?.trim()));
    });
    return keyAsked;
  }

  function send(path: string, row: Record<string, unknown>): Promise<Response> {
    const key = sessionStorage.getItem(KEY_STORAGE);
    return fetch(path, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        ...(key ? { 'X-API-Key': key } : {}),
      },
      body: JSON.stringify(row),
    });
  }

  async function post(path: string, row: Record<string, unknown>): Promise<{ ok: boolean; body: unknown }> {
    let response = await send(path, row);
    if (response.status === 401 && (await askForKey())) {
      response = await send(path, row);
      // A key the server refuses is forgotten, so that the next attempt asks again.
      if (response.status === 401) sessionStorage.removeItem(KEY_STORAGE);
    }
    const text = await response.text();
    try {
      return { ok: response.ok, body: JSON.parse(text) };
    } catch {
      return {
        ok: false,
        body: { detail: `The server answered ${response.status} ${response.statusText}.` },
      };
    }
  }

  async function estimate(): Promise<void> {
    clearErrors();
    const row: Record<string, number | string> = {};
    const unreadable: HTMLLIElement[] = [];
    for (const field of fields) {
      if (field instanceof HTMLInputElement && field.validity.badInput) {
        unreadable.push(fieldItem(field, 'must be a number'));
      } else if (field.value.trim() !== '') {
        row[field.name] = field instanceof HTMLSelectElement ? field.value : Number(field.value);
      }
    }
    if (unreadable.length > 0) return showSummary(unreadable);
    keyAsked = undefined;
    const [prediction, sweep] = await Promise.all([post('/predict', row), post('/what-if', row)]);
    if (!prediction.ok) return showProblem(prediction.body as Partial<ProblemBody>);
    showResult(prediction.body as Prediction);
    whatIf.hidden = !sweep.ok;
    if (!sweep.ok) return;
    const { features, answer, series } = sweep.body as WhatIfResult;
    const axis = yAxis(features);
    showLegend(series);
    charts.replaceChildren(...features.map((curve) => chart(curve, answer, axis)));
  }

  // The button stays enabled while a request runs (disabling it would drop the keyboard focus); a second
  // submit is ignored instead.
  let busy = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    form.setAttribute('aria-busy', 'true');
    submit.setAttribute('aria-disabled', 'true');
    estimate()
      .catch(() =>
        showSummary([
          element('li', {}, 'The server could not be reached. Check the connection and try again.'),
        ]),
      )
      .finally(() => {
        busy = false;
        form.removeAttribute('aria-busy');
        submit.removeAttribute('aria-disabled');
      });
  });
  form.addEventListener('reset', () => {
    clearErrors();
    result.replaceChildren(...initialResult.map((node) => node.cloneNode(true)));
    whatIf.hidden = true;
  });
  summaryList.addEventListener('click', (event) => {
    const link = (event.target as Element).closest('a');
    const field = link && fields.find((candidate) => `#${candidate.id}` === link.getAttribute('href'));
    if (!field) return;
    event.preventDefault();
    field.focus();
  });
  document.getElementById('fill-typical')?.addEventListener('click', () => {
    clearErrors();
    for (const field of fields) field.value = field.dataset.typical ?? '';
  });
}
