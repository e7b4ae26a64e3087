/** Sends one request to the app under test: over HTTP, or as a Lambda invocation. */
export type Send = (request: Request) => Promise<Response>;

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

/** A feature as the served manifest describes it: numbers in a range, or one of its categories. */
type Feature =
  | { name: string; dtype: 'integer' | 'float'; min: number; max: number }
  | { name: string; dtype: 'category'; categories: string[] };

/** What the suite reads of the served manifest (the HTTP contract's `GET /v1/models`). */
interface Manifest {
  name: string;
  version: string;
  /** Absent in manifests written before multiclass and regression models existed: binary. */
  task?: 'binary' | 'multiclass' | 'regression';
  target?: { classLabels?: string[] };
  features: Feature[];
}

/** Where the requests go; only its origin matters to a Lambda transport, which puts it in the event. */
export interface SmokeOptions {
  baseUrl: string;
  send?: Send;
  /** How long `/ready` may take to answer 200 (a fresh task loading its model). */
  readyTimeoutMs?: number;
}

/**
 * The smoke suite a deployment must pass: liveness, readiness, the served model's manifest, one valid
 * prediction in the terms of the model's task and one invalid request answered with a 422 problem naming the
 * field. The rows are built from the served manifest (the middle of each feature's valid range, a feature's
 * first category), so the suite fits whatever model is served, of any task.
 */
export async function runSmoke({ baseUrl, send = fetchWithTimeout, readyTimeoutMs = 30_000 }: SmokeOptions) {
  const results: CheckResult[] = [];
  // Relative to the base, so that a stage path (https://…/prod/) is kept.
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const call = (path: string, init?: RequestInit) => send(new Request(new URL(path.slice(1), base), init));
  const check = async (name: string, body: () => Promise<string>) => {
    try {
      results.push({ name, ok: true, detail: await body() });
    } catch (error) {
      results.push({ name, ok: false, detail: (error as Error).message });
    }
  };

  await check('GET /health answers 200', async () => {
    const response = await call('/health');
    return expectStatus(response, 200, await response.text());
  });
  await check('GET /ready answers 200', () => waitUntilReady(call, readyTimeoutMs));

  let manifest: Manifest | undefined;
  await check('GET /v1/models lists the served model', async () => {
    const response = await call('/v1/models');
    const body = (await response.json()) as { models?: Manifest[] };
    expectStatus(response, 200, JSON.stringify(body));
    manifest = body.models?.[0];
    if (!manifest?.features?.length) throw new Error(`no model with features in ${JSON.stringify(body)}`);
    return `${manifest.name} ${manifest.version}`;
  });
  if (!manifest) return results;
  const served = manifest;

  await check('POST /predict scores a valid row', async () => {
    const requestId = `smoke-${crypto.randomUUID()}`;
    const response = await call('/predict', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify(validRow(served.features)),
    });
    const text = await response.text();
    expectStatus(response, 200, text);
    const body = JSON.parse(text) as Record<string, unknown>;
    const wrong = answerProblem(served, body);
    if (wrong) throw new Error(`${wrong}: ${text}`);
    if (body.request_id !== requestId || response.headers.get('x-request-id') !== requestId) {
      throw new Error(`X-Request-Id ${requestId} not echoed: ${text}`);
    }
    return text;
  });

  await check('POST /predict rejects an invalid value with a 422 problem', async () => {
    const [name, invalid] = invalidValue(served.features);
    const response = await call('/predict', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...validRow(served.features), [name]: invalid }),
    });
    const text = await response.text();
    expectStatus(response, 422, text);
    const type = response.headers.get('content-type') ?? '';
    if (!type.startsWith('application/problem+json')) throw new Error(`content-type is "${type}": ${text}`);
    if (!text.includes(name)) throw new Error(`the problem does not name "${name}": ${text}`);
    return text;
  });
  return results;
}

/** A hung endpoint fails its check instead of hanging the pipeline. */
function fetchWithTimeout(request: Request): Promise<Response> {
  return fetch(request, { signal: AbortSignal.timeout(15_000) });
}

/** The middle of each feature's valid range, whole for integer features; a categorical feature's first category. */
export function validRow(features: Feature[]): Record<string, number | string> {
  return Object.fromEntries(
    features.map((feature) => {
      if (feature.dtype === 'category') return [feature.name, feature.categories[0]];
      const middle = (feature.min + feature.max) / 2;
      return [feature.name, feature.dtype === 'integer' ? Math.round(middle) : middle];
    }),
  );
}

/** A value the model must refuse: past a numeric feature's maximum, else a category no feature has. */
function invalidValue(features: Feature[]): [string, number | string] {
  for (const feature of features) if (feature.dtype !== 'category') return [feature.name, feature.max + 1];
  return [features[0]!.name, 'not-a-category-of-this-model'];
}

/** What is wrong with a one-row answer of the served model's task (the HTTP contract), or undefined. */
function answerProblem(manifest: Manifest, body: Record<string, unknown>): string | undefined {
  if (manifest.task === 'regression') {
    const { value, interval } = body as { value?: unknown; interval?: { low?: unknown; high?: unknown } };
    if (typeof value !== 'number' || !Number.isFinite(value)) return 'value is not a number';
    const { low, high } = interval ?? {};
    return typeof low === 'number' && typeof high === 'number' && low <= value && value <= high
      ? undefined
      : 'interval does not hold the value';
  }
  if (manifest.task === 'multiclass') {
    const labels = manifest.target?.classLabels ?? [];
    const { prediction, label, probabilities } = body as {
      prediction?: unknown;
      label?: unknown;
      probabilities?: Record<string, unknown>;
    };
    if (typeof prediction !== 'number' || labels[prediction] !== label) return 'prediction is not a class';
    const shares = labels.map((name) => probabilities?.[name]);
    if (!shares.every((share) => typeof share === 'number' && share >= 0 && share <= 1))
      return 'probabilities are not one share per class';
    const sum = (shares as number[]).reduce((total, share) => total + share, 0);
    return Math.abs(sum - 1) < 1e-3 ? undefined : 'probabilities do not sum to 1';
  }
  const { prediction, probability, risk_level: level } = body as Record<string, unknown>;
  if (!(prediction === 0 || prediction === 1)) return 'prediction is not 0 or 1';
  if (!(typeof probability === 'number' && probability >= 0 && probability <= 1))
    return 'probability outside [0, 1]';
  return ['low', 'medium', 'high'].includes(level as string) ? undefined : 'no risk_level';
}

function expectStatus(response: Response, status: number, body: string): string {
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${body}`);
  return `${response.status}`;
}

async function waitUntilReady(call: (path: string) => Promise<Response>, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await call('/ready').then(
      async (response) => ({ status: response.status, body: await response.text() }),
      (error: Error) => ({ status: 0, body: error.message }),
    );
    if (last.status === 200) return last.body;
    if (Date.now() >= deadline)
      throw new Error(`not ready after ${timeoutMs} ms: ${last.status} ${last.body}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
