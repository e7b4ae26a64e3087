import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ModelManifest, RegressionModelManifest } from '@glyco/contract';
import type { PredictionLogState } from '@glyco/prediction-log';
import type { KeyReloadOutcome } from '../auth/api-key-set.ts';
import type { BatchReport } from '../model/micro-batcher.ts';
import type { FollowerMetrics, SwapOutcome } from '../model/model-follower.ts';
import type { RowPrediction } from '../prediction/row-prediction.ts';
import { Counter, Gauge, Histogram, Registry } from './prometheus.ts';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const INFERENCE_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];
const POWERS_OF_TWO = Array.from({ length: 14 }, (_, i) => 2 ** i);
/** A regression model's value buckets: its training target's range in this many equal steps. */
const VALUE_STEPS = 10;

/** Bucket bounds across the training target's range, to four significant digits: where served values fall. */
export function valueBuckets(manifest: RegressionModelManifest): number[] {
  const { min, max } = manifest.trainingData.targetSummary;
  const bounds = Array.from({ length: VALUE_STEPS + 1 }, (_, i) =>
    Number((min + ((max - min) * i) / VALUE_STEPS).toPrecision(4)),
  );
  return [...new Set(bounds)];
}

/** The app's metrics: what the middleware, the batcher and the routes record, rendered by `GET /metrics`. */
export class AppMetrics implements FollowerMetrics {
  readonly registry = new Registry();
  readonly #requests = this.registry.register(
    new Counter('glyco_http_requests_total', 'HTTP requests by method, route and status.', [
      'method',
      'route',
      'status',
    ]),
  );
  readonly #requestDuration = this.registry.register(
    new Histogram(
      'glyco_http_request_duration_seconds',
      'HTTP request latency in the app, by method, route and status.',
      ['method', 'route', 'status'],
      LATENCY_BUCKETS,
    ),
  );
  readonly #inferenceDuration = this.registry.register(
    new Histogram(
      'glyco_inference_duration_seconds',
      'One batched model run, from submission to outputs (onnxruntime-node runs it on the next event-loop turn).',
      [],
      INFERENCE_BUCKETS,
    ),
  );
  readonly #batchRows = this.registry.register(
    new Histogram('glyco_inference_batch_rows', 'Rows per batched model run.', [], POWERS_OF_TWO),
  );
  readonly #batchRequests = this.registry.register(
    new Histogram(
      'glyco_inference_batch_requests',
      'Requests coalesced into one model run.',
      [],
      POWERS_OF_TWO,
    ),
  );
  readonly #predictions = this.registry.register(
    new Counter('glyco_predictions_total', 'Rows predicted, by model and version.', ['model', 'version']),
  );
  readonly #predictedClasses = this.registry.register(
    new Counter(
      'glyco_predicted_class_total',
      'Rows predicted per class (classifiers), by model, version and class label.',
      ['model', 'version', 'class'],
    ),
  );
  /** Each regression model version's buckets, set when it is first counted. */
  readonly #valueBuckets = new Map<string, number[]>();
  readonly #predictedValues = this.registry.register(
    new Histogram(
      'glyco_predicted_value',
      "Values predicted (regression models), by model and version, in ten buckets across the training target's range.",
      ['model', 'version'],
      ([model, version]) => this.#valueBuckets.get(`${model}@${version}`) ?? [],
    ),
  );
  readonly #modelInfo = this.registry.register(
    new Gauge('glyco_model_info', 'The model being served (value 1).', [
      'name',
      'version',
      'sha256',
      'algorithm',
    ]),
  );
  readonly #modelSwaps = this.registry.register(
    new Counter(
      'glyco_model_swaps_total',
      'Versions the followed alias moved to: applied (now served) or refused (the served one stays).',
      ['outcome'],
    ),
  );
  readonly #followedAlias = this.registry.register(
    new Gauge(
      'glyco_model_alias_info',
      'The registry alias followed and the version it points to (value 1); glyco_model_info is the one served.',
      ['name', 'alias', 'version'],
    ),
  );
  readonly #registryErrors = this.registry.register(
    new Counter(
      'glyco_model_registry_errors_total',
      'Alias polls and downloads that failed to reach the registry or read a valid alias; tried again.',
      [],
    ),
  );
  readonly #apiKeysReloads = this.registry.register(
    new Counter(
      'glyco_api_keys_reloads_total',
      'API keys read again from their file or secret: applied (a different set), unchanged, or failed (the last good set stays).',
      ['outcome'],
    ),
  );
  readonly #logState = this.registry.register(
    new Gauge('glyco_prediction_log_state', 'Prediction log state: 1 for the current one.', ['state']),
  );

  constructor() {
    const gauge = (name: string, help: string) => this.registry.register(new Gauge(name, help, []));
    const residentMemory = gauge('process_resident_memory_bytes', 'Resident memory size in bytes.');
    const heapUsed = gauge('nodejs_heap_used_bytes', 'V8 heap in use, in bytes.');
    const startTime = gauge(
      'process_start_time_seconds',
      'Start time of the process since the Unix epoch, in seconds.',
    );
    const loopDelay = gauge(
      'nodejs_eventloop_delay_p99_seconds',
      'p99 event-loop delay since start, in seconds.',
    );
    // Zero from the start, so that rate() and alerts see the first swap or error.
    for (const outcome of ['applied', 'refused'] as const) this.#modelSwaps.inc([outcome], 0);
    this.#registryErrors.inc([], 0);
    for (const outcome of ['applied', 'unchanged', 'failed'] as const) this.#apiKeysReloads.inc([outcome], 0);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    startTime.set([], Math.round(Date.now() / 1000 - process.uptime()));
    this.registry.onScrape(() => {
      const memory = process.memoryUsage();
      residentMemory.set([], memory.rss);
      heapUsed.set([], memory.heapUsed);
      loopDelay.set([], delay.percentile(99) / 1e9);
    });
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = [method, route, String(status)];
    this.#requests.inc(labels);
    this.#requestDuration.observe(labels, seconds);
  }

  batch(report: BatchReport): void {
    this.#inferenceDuration.observe([], report.durationMs / 1000);
    this.#batchRows.observe([], report.rows);
    this.#batchRequests.observe([], report.requests);
  }

  /** Rows predicted for someone (not what-if rows): by model, and by class or by value. */
  predictions(manifest: ModelManifest, answers: readonly RowPrediction[]): void {
    const labels = [manifest.name, manifest.version];
    this.#predictions.inc(labels, answers.length);
    if (manifest.task === 'regression') {
      const key = `${manifest.name}@${manifest.version}`;
      if (!this.#valueBuckets.has(key)) this.#valueBuckets.set(key, valueBuckets(manifest));
      for (const answer of answers)
        if ('value' in answer) this.#predictedValues.observe(labels, answer.value);
      return;
    }
    const { classLabels } = manifest.target;
    // Counted per class first: one series update per class rather than per row of a large request.
    const counts = new Array<number>(classLabels.length).fill(0);
    for (const answer of answers) if ('prediction' in answer) counts[answer.prediction]!++;
    counts.forEach((count, k) => {
      if (count > 0) this.#predictedClasses.inc([manifest.name, manifest.version, classLabels[k]!], count);
    });
  }

  modelSwap(outcome: SwapOutcome): void {
    this.#modelSwaps.inc([outcome]);
  }

  registryError(): void {
    this.#registryErrors.inc();
  }

  apiKeysReload(outcome: KeyReloadOutcome): void {
    this.#apiKeysReloads.inc([outcome]);
  }

  followedAlias(model: string, alias: string, version: string): void {
    this.#followedAlias.reset();
    this.#followedAlias.set([model, alias, version], 1);
  }

  /** Sets what is read rather than recorded: the model in service and the prediction log's state. */
  serving(manifest: ModelManifest, logState: PredictionLogState): void {
    this.#modelInfo.reset();
    this.#modelInfo.set([manifest.name, manifest.version, manifest.onnx.sha256, manifest.algorithm.name], 1);
    this.#logState.reset();
    this.#logState.set([logState], 1);
  }

  render(): string {
    return this.registry.render();
  }
}
