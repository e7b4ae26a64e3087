import { describe, expect, it } from 'vitest';
import { NO_METRICS, renderPrometheus } from '../src/metrics.ts';

describe('prediction log metrics in the Prometheus text format', () => {
  it('renders each counter with _total, each gauge without, with HELP and TYPE lines', () => {
    const text = renderPrometheus({
      ...NO_METRICS,
      queued: 12,
      written: 10,
      spooled: 2,
      queueRows: 3,
      spoolBytes: 512,
    });
    expect(text).toContain(
      '# TYPE glyco_prediction_log_queued_total counter\nglyco_prediction_log_queued_total 12\n',
    );
    expect(text).toContain('glyco_prediction_log_written_total 10\n');
    expect(text).toContain('glyco_prediction_log_spooled_total 2\n');
    expect(text).toContain('glyco_prediction_log_replayed_total 0\n');
    expect(text).toContain('glyco_prediction_log_dropped_total 0\n');
    expect(text).toContain(
      '# TYPE glyco_prediction_log_queue_rows gauge\nglyco_prediction_log_queue_rows 3\n',
    );
    expect(text).toContain('glyco_prediction_log_spool_bytes 512\n');
    for (const line of text.trimEnd().split('\n')) {
      expect(line).toMatch(/^(# (HELP|TYPE) glyco_prediction_log_\w+ .+|glyco_prediction_log_\w+ \d+)$/);
    }
  });
});
