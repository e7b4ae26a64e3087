import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BinaryModelManifest } from '@glyco/contract';
import { driftReport } from '@glyco/prediction-log';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Runtime } from '../../src/bootstrap.ts';
import { resolveModelDirectory } from '../../src/model/model-uri.ts';
import { pageRoutes } from '../../src/page/routes.ts';
import type { FeatureWhatIf, WhatIfResult } from '../../src/page/what-if.ts';
import type { BinaryRowPrediction } from '../../src/prediction/row-prediction.ts';
import { depsOf, postJson, recordingLog, startRuntime, VALID_ROW } from './page-fixture.ts';

/** The bundled default model's newest version, the one the server serves. */
const modelDir = await resolveModelDirectory(undefined);
let runtime: Runtime;
let manifest: BinaryModelManifest;
const log = recordingLog();

beforeAll(async () => {
  runtime = await startRuntime({ predictionLog: log });
  manifest = runtime.models.current().manifest as BinaryModelManifest;
});
afterAll(() => runtime.models.close());

const request = (path: string, init?: RequestInit) => runtime.app.request(path, init);
/** A numeric feature's training percentiles, from the served model's reference. */
function quantilesOf(feature: string): number[] {
  const reference = manifest.reference.find((candidate) => candidate.feature === feature);
  if (!reference || !('quantiles' in reference)) throw new Error(`${feature} has no numeric reference`);
  return reference.quantiles;
}

/** The HTML with each run of whitespace as one space, as a reader sees the text. */
const htmlOf = async (response: Response) => (await response.text()).replace(/\s+/g, ' ');

describe('GET /', () => {
  it('is an HTML page whose CSP allows only same-origin scripts, styles and images, and that has nothing inline', async () => {
    const response = await request('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const page = await response.text();
    expect(page).toMatch(/^<!doctype html>\s*<html lang="en">/);
    expect(page).not.toMatch(/<script(?![^>]*\ssrc=)/);
    expect(page).not.toMatch(/\sstyle=|\son[a-z]+=/);
  });

  it('links its script, stylesheet and icon by content hash, served from the app and cacheable for good', async () => {
    const page = await (await request('/')).text();
    const paths = [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1]!);
    expect(paths.map((path) => path.split('.').at(-1))).toEqual(['svg', 'css', 'js']);
    const types = [];
    for (const path of paths) {
      const response = await request(path);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toContain('immutable');
      types.push(response.headers.get('content-type'));
    }
    expect(types).toEqual(['image/svg+xml', 'text/css; charset=utf-8', 'text/javascript; charset=utf-8']);
    expect((await request(paths[2]!.replace(/\.[0-9a-f]{12}\./, '.000000000000.'))).status).toBe(404);
  });
});

describe('POST /what-if', () => {
  it('sweeps every feature across its valid range in one model run that is not logged, and agrees with /predict', async () => {
    const batches = vi.spyOn(runtime.metrics, 'batch');
    const response = await request('/what-if', postJson(VALID_ROW));
    expect(response.status).toBe(200);
    const body = (await response.json()) as WhatIfResult;
    expect(batches).toHaveBeenCalledTimes(1);
    const sweptRows = body.features.reduce((rows, curve) => rows + curve.points.length, 0);
    expect(batches.mock.calls[0]![0].rows).toBe(1 + sweptRows);
    batches.mockRestore();

    expect(body.features.map((curve) => curve.feature).sort()).toEqual(
      manifest.features.map((f) => f.name).sort(),
    );
    for (const spec of manifest.features) {
      if (spec.dtype === 'category') throw new Error('the bundled model has no categorical feature');
      const curve = body.features.find((candidate) => candidate.feature === spec.name)!;
      const values = curve.points.map((point) => point.value as number);
      expect(values).toEqual([...values].sort((a, b) => a - b));
      expect([values[0], values.at(-1)]).toEqual([spec.min, spec.max]);
      if (spec.dtype === 'integer') expect(values.every(Number.isInteger)).toBe(true);
    }
    const effects = body.features.map((curve) => curve.effect);
    expect(effects).toEqual([...effects].sort((a, b) => b - a));

    expect(log.records).toHaveLength(0);
    const predicted = (await (await request('/predict', postJson(VALID_ROW))).json()) as BinaryRowPrediction;
    expect(log.records).toHaveLength(1);
    // One row among hundreds may round differently in the last float32 digit than the same row alone.
    expect(body.answer).toMatchObject({ prediction: predicted.prediction, risk_level: predicted.risk_level });
    expect((body.answer as BinaryRowPrediction).probability).toBeCloseTo(predicted.probability, 6);
    expect(body.series).toEqual([manifest.target.classLabels[1]]);
    const glucose = body.features.find((curve) => curve.feature === 'glucose')!;
    expect(glucose.points.find((point) => point.value === VALID_ROW.glucose)?.outputs[0]).toBeCloseTo(
      predicted.probability,
      6,
    );
  });

  it('shows glucose raising the risk, and leaves an unmeasured optional value without an entered point', async () => {
    const body = (await (await request('/what-if', postJson(VALID_ROW))).json()) as WhatIfResult;
    const curve = (name: string) =>
      body.features.find((candidate) => candidate.feature === name) as FeatureWhatIf;
    const glucose = curve('glucose').points.map((point) => point.outputs[0]!);
    expect(glucose.at(-1)! - glucose[0]!).toBeGreaterThan(0.5);
    expect(glucose.every((p, i) => i === 0 || p >= glucose[i - 1]!)).toBe(true);
    expect(curve('glucose').value).toBe(VALID_ROW.glucose);
    expect(curve('insulin').value).toBeNull();
    const insulin = quantilesOf('insulin');
    expect(curve('insulin').typical_range).toEqual([insulin[5], insulin[95]]);
  });

  it('rejects an invalid row with the same field errors as /predict', async () => {
    const row = { ...VALID_ROW, glucose: 900, age: 'forty' };
    const whatIf = await request('/what-if', postJson(row));
    const predict = await request('/predict', postJson(row));
    expect(whatIf.status).toBe(422);
    expect(whatIf.headers.get('content-type')).toBe('application/problem+json');
    const errors = ((await whatIf.json()) as { errors: unknown[] }).errors;
    expect(errors).toEqual([
      { pointer: '#/glucose', detail: 'must be at most 600 mg/dL' },
      { pointer: '#/age', detail: 'must be a number, not the string "forty"' },
    ]);
    expect(((await predict.json()) as { errors: unknown[] }).errors).toEqual(errors);
  });

  it('takes one row, not instances, and only as JSON', async () => {
    const batch = await request('/what-if', postJson({ instances: [VALID_ROW] }));
    expect(batch.status).toBe(422);
    expect(((await batch.json()) as { errors: { pointer: string }[] }).errors[0]!.pointer).toBe(
      '#/instances',
    );
    const form = await request('/what-if', { method: 'POST', body: 'glucose=100' });
    expect(form.status).toBe(415);
  });
});

describe('GET /models/{name}', () => {
  it('shows the metrics, both figures, the feature schema, the data hash, and that there is no prediction log', async () => {
    const response = await request(`/models/${manifest.name}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("img-src 'self'");
    const page = await htmlOf(response);
    const { rocAuc } = manifest.metrics.crossValidation;
    expect(page).toContain(`${rocAuc.mean.toFixed(3)} ± ${rocAuc.sd.toFixed(3)}`);
    expect(page).toContain(`src="/models/${manifest.name}/files/roc.svg"`);
    expect(page).toContain(`src="/models/${manifest.name}/files/confusion-matrix.svg"`);
    for (const feature of manifest.features) expect(page).toContain(`<code>${feature.name}</code>`);
    expect(page).toContain(manifest.trainingData.sha256);
    expect(page).toContain('No prediction log.');
  });

  it('shows the latest drift status from the prediction log when one is wired in', async () => {
    // Every feature spread like its training data, except glucose, which moved far up.
    const inputs = Array.from({ length: 300 }, (_, i) => ({
      ...Object.fromEntries(manifest.features.map((f) => [f.name, quantilesOf(f.name)[1 + (i % 99)]!])),
      glucose: 400,
    }));
    const routes = pageRoutes({
      ...depsOf(runtime),
      predictionLog: recordingLog(),
      latestDrift: async (served) =>
        driftReport({
          manifest: served,
          since: undefined,
          until: undefined,
          inputs,
          total: 300,
          outcomes: [],
        }),
    });
    const page = await htmlOf(await routes.request(`/models/${manifest.name}`));
    expect(page).toContain('Drift in glucose: PSI above 0.2 over 300 logged predictions.');
    const driftTable = page.split('id="drift-heading"')[1]!;
    const row = (feature: string) =>
      driftTable.split('<tr>').find((cells) => cells.includes(`<code>${feature}</code>`));
    expect(row('glucose')).toMatch(/<td class="number">300<\/td>.*<td>drift<\/td>/);
    expect(row('age')).toMatch(/<td class="number">300<\/td>.*<td>ok<\/td>/);
  });

  it('still serves the card when the prediction log cannot answer', async () => {
    const routes = pageRoutes({
      ...depsOf(runtime),
      predictionLog: recordingLog(),
      latestDrift: () => Promise.reject(new Error('connection refused')),
    });
    const response = await routes.request(`/models/${manifest.name}`);
    expect(response.status).toBe(200);
    const page = await htmlOf(response);
    expect(page).toContain('Drift status unavailable');
    expect(page).not.toContain('connection refused');
  });

  it('answers a model that is not served with a 404 page that links the one that is', async () => {
    const response = await request('/models/not-a-model');
    expect(response.status).toBe(404);
    expect(await response.text()).toContain(`<a href="/models/${manifest.name}">`);
  });

  it('shows no broken image for a model directory without its figures', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'glyco-card-'));
    try {
      await cp(modelDir, dir, { recursive: true, filter: (source) => !source.endsWith('roc.svg') });
      const bare = await startRuntime({ modelUri: dir });
      const page = await htmlOf(await bare.app.request(`/models/${manifest.name}`));
      await bare.models.close();
      expect(page).toContain("ROC curve (cross-validated): not in this model's directory.");
      expect(page).not.toContain('files/roc.svg');
      expect(page).toContain('files/confusion-matrix.svg');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('GET /models/{name}/files/{file}', () => {
  it('serves the figures as SVG that cannot run script when opened alone, and the Markdown card', async () => {
    const roc = await request(`/models/${manifest.name}/files/roc.svg`);
    expect(roc.status).toBe(200);
    expect(roc.headers.get('content-type')).toBe('image/svg+xml');
    expect(roc.headers.get('content-security-policy')).toContain('sandbox');
    expect(Buffer.from(await roc.arrayBuffer()).equals(await readFile(join(modelDir, 'roc.svg')))).toBe(true);
    const card = await request(`/models/${manifest.name}/files/card.md`);
    expect(card.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
  });

  it.each([
    'model.onnx',
    'manifest.json',
    '..%2Fmanifest.json',
    '%2E%2E%2F%2E%2E%2F%2E%2E%2Fpackage.json',
    '..%5C..%5Cpackage.json',
    'constructor',
  ])('refuses %s', async (file) => {
    const response = await request(`/models/${manifest.name}/files/${file}`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });

  it('refuses the figures of a model that is not served', async () => {
    expect((await request('/models/other-model/files/roc.svg')).status).toBe(404);
  });
});
