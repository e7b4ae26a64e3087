/** Sends one request to the app under test: over HTTP, or as a Lambda invocation. */
export type Send = (request: Request) => Promise<Response>;

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

interface Feature {
  name: string;
  dtype: 'integer' | 'float';
  min: number;
  max: number;
}

interface Manifest {
  name: string;
  version: string;
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
 * prediction and one invalid request answered with a 422 problem naming the field. The valid row is built from
 * the served manifest (the middle of each feature's valid range), so the suite fits whatever model is served.
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
    const probability = body.probability as number;
    if (!(body.prediction === 0 || body.prediction === 1))
      throw new Error(`prediction is not 0 or 1: ${text}`);
    if (!(probability >= 0 && probability <= 1)) throw new Error(`probability outside [0, 1]: ${text}`);
    if (!['low', 'medium', 'high'].includes(body.risk_level as string))
      throw new Error(`no risk_level: ${text}`);
    if (body.request_id !== requestId || response.headers.get('x-request-id') !== requestId) {
      throw new Error(`X-Request-Id ${requestId} not echoed: ${text}`);
    }
    return text;
  });

  await check('POST /predict rejects an out-of-range value with a 422 problem', async () => {
    const feature = served.features[0]!;
    const response = await call('/predict', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...validRow(served.features), [feature.name]: feature.max + 1 }),
    });
    const text = await response.text();
    expectStatus(response, 422, text);
    const type = response.headers.get('content-type') ?? '';
    if (!type.startsWith('application/problem+json')) throw new Error(`content-type is "${type}": ${text}`);
    if (!text.includes(feature.name)) throw new Error(`the problem does not name "${feature.name}": ${text}`);
    return text;
  });
  return results;
}

/** A hung endpoint fails its check instead of hanging the pipeline. */
function fetchWithTimeout(request: Request): Promise<Response> {
  return fetch(request, { signal: AbortSignal.timeout(15_000) });
}

/** The middle of each feature's valid range, whole for integer features. */
export function validRow(features: Feature[]): Record<string, number> {
  const middle = (feature: Feature) => (feature.min + feature.max) / 2;
  return Object.fromEntries(
    features.map((feature) => [
      feature.name,
      feature.dtype === 'integer' ? Math.round(middle(feature)) : middle(feature),
    ]),
  );
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
