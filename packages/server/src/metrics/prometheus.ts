/**
 * A minimal Prometheus registry (text exposition format 0.0.4): counters, gauges and histograms with labels.
 * Recording is a map lookup and an add, cheap enough for every request.
 */

type LabelValues = readonly string[];

function escapeLabelValue(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

function labelText(names: readonly string[], values: LabelValues, extra = ''): string {
  const pairs = names.map((name, i) => `${name}="${escapeLabelValue(values[i] ?? '')}"`);
  if (extra) pairs.push(extra);
  return pairs.length > 0 ? `{${pairs.join(',')}}` : '';
}

function formatNumber(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

interface Metric {
  render(): string;
}

abstract class LabelledMetric<Series> implements Metric {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  protected readonly series = new Map<string, { labels: LabelValues; value: Series }>();

  constructor(name: string, help: string, labelNames: readonly string[]) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  protected abstract readonly type: string;
  protected abstract create(labels: LabelValues): Series;
  protected abstract renderSeries(labels: LabelValues, value: Series): string[];

  protected at(labels: LabelValues): Series {
    const key = labels.join('\u0000');
    let entry = this.series.get(key);
    if (!entry) {
      entry = { labels: [...labels], value: this.create(labels) };
      this.series.set(key, entry);
    }
    return entry.value;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const { labels, value } of this.series.values()) lines.push(...this.renderSeries(labels, value));
    return lines.join('\n');
  }
}

abstract class ScalarMetric extends LabelledMetric<{ value: number }> {
  protected create() {
    return { value: 0 };
  }
  protected renderSeries(labels: LabelValues, series: { value: number }): string[] {
    return [`${this.name}${labelText(this.labelNames, labels)} ${formatNumber(series.value)}`];
  }
}

export class Counter extends ScalarMetric {
  protected readonly type = 'counter';
  inc(labels: LabelValues = [], amount = 1): void {
    this.at(labels).value += amount;
  }
}

export class Gauge extends ScalarMetric {
  protected readonly type = 'gauge';
  set(labels: LabelValues, value: number): void {
    this.at(labels).value = value;
  }
  /** Drops every series, e.g. before re-setting an info metric whose labels changed. */
  reset(): void {
    this.series.clear();
  }
}

interface HistogramSeries {
  /** Upper bounds, ascending. */
  buckets: readonly number[];
  counts: Float64Array;
  sum: number;
  count: number;
}

/** Bucket upper bounds: the same for every series, or per series (e.g. a model's own value range). */
export type HistogramBuckets = readonly number[] | ((labels: LabelValues) => readonly number[]);

export class Histogram extends LabelledMetric<HistogramSeries> {
  protected readonly type = 'histogram';
  readonly #buckets: HistogramBuckets;

  constructor(name: string, help: string, labelNames: readonly string[], buckets: HistogramBuckets) {
    super(name, help, labelNames);
    this.#buckets = typeof buckets === 'function' ? buckets : [...buckets].sort((a, b) => a - b);
  }

  protected create(labels: LabelValues): HistogramSeries {
    const buckets =
      typeof this.#buckets === 'function' ? [...this.#buckets(labels)].sort((a, b) => a - b) : this.#buckets;
    return { buckets, counts: new Float64Array(buckets.length), sum: 0, count: 0 };
  }

  observe(labels: LabelValues, value: number): void {
    const series = this.at(labels);
    series.sum += value;
    series.count++;
    // Counts per bucket, made cumulative on render: one increment per observation.
    const index = series.buckets.findIndex((bound) => value <= bound);
    if (index >= 0) series.counts[index]!++;
  }

  protected renderSeries(labels: LabelValues, series: HistogramSeries): string[] {
    const lines: string[] = [];
    let cumulative = 0;
    series.buckets.forEach((bound, i) => {
      cumulative += series.counts[i]!;
      lines.push(
        `${this.name}_bucket${labelText(this.labelNames, labels, `le="${formatNumber(bound)}"`)} ${cumulative}`,
      );
    });
    lines.push(`${this.name}_bucket${labelText(this.labelNames, labels, 'le="+Inf"')} ${series.count}`);
    lines.push(`${this.name}_sum${labelText(this.labelNames, labels)} ${formatNumber(series.sum)}`);
    lines.push(`${this.name}_count${labelText(this.labelNames, labels)} ${series.count}`);
    return lines;
  }
}

export class Registry {
  readonly #metrics: Metric[] = [];
  readonly #beforeRender: (() => void)[] = [];

  register<T extends Metric>(metric: T): T {
    this.#metrics.push(metric);
    return metric;
  }

  /** Runs `update` before each scrape, for values read rather than recorded (memory, model in service). */
  onScrape(update: () => void): void {
    this.#beforeRender.push(update);
  }

  render(): string {
    for (const update of this.#beforeRender) update();
    return `${this.#metrics.map((metric) => metric.render()).join('\n')}\n`;
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
