import type { ProblemBody } from '../http/problem.ts';
import type { RowPrediction } from '../prediction/row-prediction.ts';
import type { FeatureWhatIf, WhatIfResult } from './what-if.ts';

/** What `POST /predict` answers for one row. */
type Prediction = RowPrediction & { model: { name: string; version: string }; request_id: string };

/**
 * The risk form's behaviour in the browser: send the row to `POST /predict` and `POST /what-if` as JSON, show
 * the answer, and put every input error the API names next to its field. The browser receives this function's
 * source text (see assets.ts), so it must use nothing from outside its own body but types.
 */
export function riskPageScript(): void {
  type Attributes = Record<string, string | number>;

  const form = document.getElementById('risk-form');
  if (!(form instanceof HTMLFormElement)) return;
  const summary = document.getElementById('error-summary')!;
  const summaryList = document.getElementById('error-list')!;
  const result = document.getElementById('result')!;
  const whatIf = document.getElementById('what-if')!;
  const charts = document.getElementById('what-if-charts')!;
  const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
  const inputs = Array.from(form.querySelectorAll<HTMLInputElement>('input[data-label]'));
  const thresholds = { medium: Number(form.dataset.medium), high: Number(form.dataset.high) };
  const outcome = form.dataset.outcome ?? 'the positive class';
  const initialResult = Array.from(result.childNodes, (node) => node.cloneNode(true));

  // As format.ts does on the server: only this function's text reaches the browser, not its imports.
  const formatNumber = (value: number) => String(Number(value.toPrecision(4)));
  const formatPercent = (proportion: number) => `${(proportion * 100).toFixed(1)}%`;
  /** A threshold as set, without a decimal it does not have: 0.3 → "30%". */
  const thresholdPercent = (proportion: number) => `${formatNumber(proportion * 100)}%`;

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

  function inputFor(pointer: string): HTMLInputElement | undefined {
    const segments = pointer.replace(/^#\/?/, '').split('/');
    if (segments.length !== 1) return undefined;
    const name = segments[0]!.replaceAll('~1', '/').replaceAll('~0', '~');
    return inputs.find((input) => input.name === name);
  }

  function markField(input: HTMLInputElement, message: string): void {
    const error = document.getElementById(`error-${input.name}`)!;
    error.textContent = message;
    error.hidden = false;
    input.closest('.field')?.classList.add('has-error');
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', `error-${input.name} hint-${input.name}`);
  }

  function clearErrors(): void {
    for (const input of inputs) {
      const error = document.getElementById(`error-${input.name}`)!;
      error.textContent = '';
      error.hidden = true;
      input.closest('.field')?.classList.remove('has-error');
      input.removeAttribute('aria-invalid');
      input.setAttribute('aria-describedby', `hint-${input.name}`);
    }
    summaryList.replaceChildren();
    summary.hidden = true;
  }

  function fieldItem(input: HTMLInputElement, message: string): HTMLLIElement {
    markField(input, message);
    return element('li', {}, element('a', { href: `#${input.id}` }, `${input.dataset.label}: ${message}`));
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
      const input = inputFor(error.pointer);
      items.push(input ? fieldItem(input, error.detail) : element('li', {}, error.detail));
    }
    if (items.length === 0)
      items.push(element('li', {}, problem.detail ?? problem.title ?? 'The request failed.'));
    showSummary(items);
  }

  function scale(probability: number): SVGElement {
    const width = 300;
    const x = (p: number) => (p * width).toFixed(1);
    const zone = (name: string, from: number, to: number) =>
      svg('rect', {
        class: `zone-${name}`,
        x: x(from),
        y: 2,
        width: ((to - from) * width).toFixed(1),
        height: 16,
      });
    const tick = (p: number, anchor: string) =>
      svg('text', { x: x(p), y: 34, 'text-anchor': anchor }, thresholdPercent(p));
    return svg(
      'svg',
      { class: 'scale', viewBox: `0 -2 ${width} 40`, 'aria-hidden': 'true', focusable: 'false' },
      zone('low', 0, thresholds.medium),
      zone('medium', thresholds.medium, thresholds.high),
      zone('high', thresholds.high, 1),
      svg('line', { class: 'marker', x1: x(probability), x2: x(probability), y1: -2, y2: 22 }),
      tick(0, 'start'),
      tick(thresholds.medium, 'middle'),
      tick(thresholds.high, 'middle'),
      tick(1, 'end'),
    );
  }

  function showResult(prediction: Prediction): void {
    const facts = element('dl', { class: 'facts' });
    const rows: [string, string][] = [
      ['Predicted class', prediction.label],
      ['Model', `${prediction.model.name} ${prediction.model.version}`],
      ['Request id', prediction.request_id],
    ];
    for (const [term, value] of rows) facts.append(element('dt', {}, term), element('dd', {}, value));
    result.replaceChildren(
      element(
        'p',
        { class: 'probability' },
        element(
          'span',
          { class: 'probability-value', 'data-probability': prediction.probability },
          formatPercent(prediction.probability),
        ),
        `probability that ${outcome}`,
      ),
      element(
        'p',
        {},
        'Risk level: ',
        element('span', { class: `risk risk-${prediction.risk_level}` }, prediction.risk_level),
        ` (medium from ${thresholdPercent(thresholds.medium)}, high from ${thresholdPercent(thresholds.high)})`,
      ),
      scale(prediction.probability),
      facts,
    );
    if (result.getBoundingClientRect().top > window.innerHeight) result.scrollIntoView({ block: 'start' });
  }

  function chart(curve: FeatureWhatIf): HTMLLIElement {
    const [width, height, left, right, top, bottom] = [240, 128, 34, 8, 6, 22];
    const plotWidth = width - left - right;
    const plotHeight = height - top - bottom;
    const span = curve.max - curve.min || 1;
    const x = (value: number) => (left + ((value - curve.min) / span) * plotWidth).toFixed(1);
    const y = (probability: number) => (top + (1 - probability) * plotHeight).toFixed(1);
    const parts: SVGElement[] = [];
    if (curve.typical_range) {
      const [from, to] = curve.typical_range;
      const bandWidth = ((Math.min(to, curve.max) - Math.max(from, curve.min)) / span) * plotWidth;
      parts.push(
        svg('rect', {
          class: 'band',
          x: x(Math.max(from, curve.min)),
          y: top,
          width: bandWidth.toFixed(1),
          height: plotHeight,
        }),
      );
    }
    for (const threshold of [thresholds.medium, thresholds.high]) {
      parts.push(
        svg('line', {
          class: 'threshold',
          x1: left,
          x2: left + plotWidth,
          y1: y(threshold),
          y2: y(threshold),
        }),
      );
    }
    parts.push(
      svg('line', { class: 'axis', x1: left, x2: left + plotWidth, y1: y(0), y2: y(0) }),
      svg('line', { class: 'axis', x1: left, x2: left, y1: y(0), y2: y(1) }),
      svg('text', { x: left - 4, y: Number(y(1)) + 8, 'text-anchor': 'end' }, '100%'),
      svg('text', { x: left - 4, y: y(0), 'text-anchor': 'end' }, '0%'),
      svg('text', { x: left, y: height - 6 }, formatNumber(curve.min)),
      svg('text', { x: left + plotWidth, y: height - 6, 'text-anchor': 'end' }, formatNumber(curve.max)),
      svg('polyline', {
        class: 'curve',
        points: curve.points.map((point) => `${x(point.value)},${y(point.probability)}`).join(' '),
      }),
    );
    const own = curve.points.find((point) => point.value === curve.value);
    if (own) parts.push(svg('circle', { class: 'now', cx: x(own.value), cy: y(own.probability), r: 4.5 }));

    const probabilities = curve.points.map((point) => point.probability);
    const unit = curve.unit ? ` ${curve.unit}` : '';
    const label = inputs.find((input) => input.name === curve.feature)?.dataset.label ?? curve.feature;
    const moves = `${formatPercent(Math.min(...probabilities))} to ${formatPercent(Math.max(...probabilities))} across ${formatNumber(curve.min)}–${formatNumber(curve.max)}${unit}`;
    const now = own
      ? `; ${formatPercent(own.probability)} at ${formatNumber(own.value)}${unit} (entered)`
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
        element('figcaption', {}, element('strong', {}, label), `Probability ${moves}${now}.`),
      ),
    );
  }

  async function post(path: string, row: Record<string, number>): Promise<{ ok: boolean; body: unknown }> {
    const response = await fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(row),
    });
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
    const row: Record<string, number> = {};
    const unreadable: HTMLLIElement[] = [];
    for (const input of inputs) {
      if (input.validity.badInput) unreadable.push(fieldItem(input, 'must be a number'));
      else if (input.value.trim() !== '') row[input.name] = Number(input.value);
    }
    if (unreadable.length > 0) return showSummary(unreadable);
    const [prediction, sweep] = await Promise.all([post('/predict', row), post('/what-if', row)]);
    if (!prediction.ok) return showProblem(prediction.body as Partial<ProblemBody>);
    showResult(prediction.body as Prediction);
    whatIf.hidden = !sweep.ok;
    if (sweep.ok) charts.replaceChildren(...(sweep.body as WhatIfResult).features.map(chart));
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
    const input = link && inputs.find((candidate) => `#${candidate.id}` === link.getAttribute('href'));
    if (!input) return;
    event.preventDefault();
    input.focus();
  });
  document.getElementById('fill-typical')?.addEventListener('click', () => {
    clearErrors();
    for (const input of inputs) input.value = input.dataset.typical ?? '';
  });
}
