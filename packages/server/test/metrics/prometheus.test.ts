import { describe, expect, it } from 'vitest';
import { Counter, Gauge, Histogram, Registry } from '../../src/metrics/prometheus.ts';

describe('Prometheus registry', () => {
  it('renders counters and gauges with labels in the text exposition format', () => {
    const registry = new Registry();
    const requests = registry.register(new Counter('requests_total', 'Requests.', ['route', 'status']));
    const info = registry.register(new Gauge('model_info', 'Model.', ['version']));
    requests.inc(['/predict', '200']);
    requests.inc(['/predict', '200'], 2);
    requests.inc(['/ready', '503']);
    info.set(['1.0.0'], 1);
    expect(registry.render()).toBe(
      [
        '# HELP requests_total Requests.',
        '# TYPE requests_total counter',
        'requests_total{route="/predict",status="200"} 3',
        'requests_total{route="/ready",status="503"} 1',
        '# HELP model_info Model.',
        '# TYPE model_info gauge',
        'model_info{version="1.0.0"} 1',
        '',
      ].join('\n'),
    );
  });

  it('renders histograms with cumulative buckets, +Inf, sum and count', () => {
    const registry = new Registry();
    const latency = registry.register(new Histogram('latency_seconds', 'Latency.', [], [0.1, 1]));
    for (const value of [0.05, 0.1, 0.5, 3]) latency.observe([], value);
    expect(registry.render()).toBe(
      [
        '# HELP latency_seconds Latency.',
        '# TYPE latency_seconds histogram',
        'latency_seconds_bucket{le="0.1"} 2',
        'latency_seconds_bucket{le="1"} 3',
        'latency_seconds_bucket{le="+Inf"} 4',
        'latency_seconds_sum 3.65',
        'latency_seconds_count 4',
        '',
      ].join('\n'),
    );
  });

  it('escapes label values', () => {
    const registry = new Registry();
    registry.register(new Gauge('g', 'G.', ['path'])).set(['a"b\\c\nd'], 1);
    expect(registry.render()).toContain('g{path="a\\"b\\\\c\\nd"} 1');
  });

  it('a reset gauge forgets its old series (an info metric after a model swap)', () => {
    const registry = new Registry();
    const info = registry.register(new Gauge('model_info', 'Model.', ['version']));
    info.set(['1.0.0'], 1);
    info.reset();
    info.set(['1.1.0'], 1);
    expect(registry.render()).not.toContain('1.0.0');
    expect(registry.render()).toContain('model_info{version="1.1.0"} 1');
  });
});

describe('a histogram whose buckets depend on the series', () => {
  it("gives each series its own bounds, e.g. each model's value range", () => {
    const registry = new Registry();
    const bounds: Record<string, number[]> = { small: [1, 2], large: [100, 50] };
    const values = registry.register(
      new Histogram('value', 'Values.', ['model'], ([model]) => bounds[model!]!),
    );
    values.observe(['small'], 1.5);
    values.observe(['large'], 75);
    values.observe(['large'], 500);
    expect(registry.render()).toBe(
      [
        '# HELP value Values.',
        '# TYPE value histogram',
        'value_bucket{model="small",le="1"} 0',
        'value_bucket{model="small",le="2"} 1',
        'value_bucket{model="small",le="+Inf"} 1',
        'value_sum{model="small"} 1.5',
        'value_count{model="small"} 1',
        'value_bucket{model="large",le="50"} 0',
        'value_bucket{model="large",le="100"} 1',
        'value_bucket{model="large",le="+Inf"} 2',
        'value_sum{model="large"} 575',
        'value_count{model="large"} 2',
        '',
      ].join('\n'),
    );
  });
});
