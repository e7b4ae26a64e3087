import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BinaryModelManifest } from '@glyco/contract';
import { driftReport } from '@glyco/prediction-log';
import { sampleRows } from '@glyco/prediction-log/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Runtime } from '../../src/bootstrap.ts';
import { resolveModelDirectory } from '../../src/model/model-uri.ts';
import { pageRoutes } from '../../src/page/routes.ts';
import type { FeatureWhatIf, WhatIfResult } from '../../src/page/what-if.ts';
import type { BinaryRowPrediction } from '../../src/prediction/row-prediction.ts';
import {
  IRIS,
  IRIS_DIR,
  PROGRESSION,
  PROGRESSION_DIR,
  PROGRESSION_ROW,
  READMISSIONS,
  READMISSIONS_DIR,
  READMISSIONS_ROW,
} from '../support/task-models.ts';
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

describe('the page for every task', () => {
  const runtimes: Runtime[] = [];
  afterAll(() => Promise.all(runtimes.map((served) => served.models.close())));
  async function serving(dir: string): Promise<Runtime> {
    const served = await startRuntime({ modelUri: dir });
    runtimes.push(served);
    return served;
  }

  it('gives a categorical feature a select of its categories, and every field an id from its position', async () => {
    const served = await serving(READMISSIONS_DIR);
    const page = await htmlOf(await served.app.request('/'));
    expect(page).toContain('<h1>Predict readmitted</h1>');
    expect(page).toMatch(
      /<select id="feature-1" name="admission type" required aria-describedby="hint-1" data-field="1" data-label="Admission type" data-typical="Emergency"> <option value="">Choose…<\/option> ?<option value="Elective">Elective<\/option> ?<option value="Emergency">Emergency<\/option> ?<option value="Urgent">Urgent<\/option> <\/select>/,
    );
    expect(page).toContain('<select id="feature-2" name="race" aria-describedby="hint-2"');
    expect(page).toContain('<option value="">Not known</option>');
    expect(page).toContain('<input id="feature-3" name="HbA1c-level" type="number"');
    // Every id is one a browser can look up: no name (with its spaces) goes into one.
    const ids = [...page.matchAll(/ id="([^"]*)"/g)].map((match) => match[1]!);
    expect(ids.filter((id) => !/^[\w-]+$/.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    const classes = /data-classes="([^"]*)"/.exec(page)![1]!;
    const unescaped = classes.replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
    expect(JSON.parse(unescaped)).toEqual(READMISSIONS.target.classLabels);
    expect(page).toContain('&lt;30');
  });

  it('sweeps a categorical feature through its categories and gives every class a series', async () => {
    const served = await serving(READMISSIONS_DIR);
    const response = await served.app.request('/what-if', postJson(READMISSIONS_ROW));
    expect(response.status).toBe(200);
    const body = (await response.json()) as WhatIfResult;
    expect(body.task).toBe('multiclass');
    expect(body.series).toEqual(READMISSIONS.target.classLabels);
    const predicted = await (await served.app.request('/predict', postJson(READMISSIONS_ROW))).json();
    expect(body.answer).toMatchObject({ prediction: predicted.prediction, label: predicted.label });
    const race = body.features.find((curve) => curve.feature === 'race')!;
    expect(race).toMatchObject({
      kind: 'categorical',
      value: 'African American',
      min: null,
      typical_range: null,
    });
    expect(race.points.map((point) => point.value)).toEqual([
      'African American',
      'Asian',
      'Caucasian',
      'Hispanic',
    ]);
    for (const point of race.points) {
      expect(point.outputs).toHaveLength(3);
      expect(point.outputs.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 5);
    }
    const own = race.points.find((point) => point.value === 'African American')!;
    const labels = READMISSIONS.target.classLabels;
    for (const [k, label] of labels.entries()) {
      expect(own.outputs[k]).toBeCloseTo(predicted.probabilities[label], 6);
    }
  });

  it('sweeps a regression model’s value, and shows the value and its interval on the form page', async () => {
    const served = await serving(PROGRESSION_DIR);
    const body = (await (
      await served.app.request('/what-if', postJson(PROGRESSION_ROW))
    ).json()) as WhatIfResult;
    expect(body.series).toEqual(['progression']);
    const bmi = body.features.find((curve) => curve.feature === 'bmi')!;
    const values = bmi.points.map((point) => point.outputs[0]!);
    expect(values.at(-1)! - values[0]!).toBeGreaterThan(50);
    const page = await htmlOf(await served.app.request('/'));
    expect(page).toContain('<h1>Predict progression</h1>');
    expect(page).toContain('with a 90% interval');
    expect(page).toContain(`data-min="${PROGRESSION.trainingData.targetSummary.min}"`);
  });

  it("shows a multiclass model's card: its metrics, per-class table, K×K confusion matrix and figures", async () => {
    const served = await serving(IRIS_DIR);
    const page = await htmlOf(await served.app.request('/models/iris'));
    const { crossValidation, heldOut } = IRIS.metrics;
    expect(page).toContain('A multiclass classifier: the probability of each of the 3 classes of species');
    expect(page).toContain(
      `macro ROC AUC (one-vs-rest)</th><td class="number">${crossValidation.rocAuc.mean.toFixed(3)} ± ${crossValidation.rocAuc.sd.toFixed(3)}`,
    );
    const confusion = page.split('id="confusion-title"')[1]!.split('</table>')[0]!;
    const rows = [...confusion.matchAll(/<tr><th scope="row">(\w+)<\/th>(.*?)<\/tr>/g)];
    expect(rows.map((row) => row[1])).toEqual(IRIS.target.classLabels);
    expect(rows.map((row) => [...row[2]!.matchAll(/>(\d+)</g)].map((cell) => Number(cell[1])))).toEqual(
      heldOut.confusionMatrix,
    );
    expect(page).toContain('<th scope="row">versicolor</th><td class="number">50</td>');
    expect(page).toContain('src="/models/iris/files/roc.svg"');
    expect(page).toContain('src="/models/iris/files/confusion-matrix.svg"');
    expect(page).toContain('chosen on mean cross-validated macro ROC AUC');
    expect(page).not.toContain('Risk levels');
  });

  it("shows a regression model's card: RMSE, MAE and R², the interval, and its two plots, served", async () => {
    const served = await serving(PROGRESSION_DIR);
    const page = await htmlOf(await served.app.request('/models/diabetes-progression'));
    expect(page).toContain('A regression model: Quantitative measure of disease progression');
    expect(page).toContain('RMSE (lower is better)');
    expect(page).toContain('R²');
    expect(page).toContain('held the true value for 90.0% of the out-of-fold predictions');
    for (const file of ['predicted-vs-actual.svg', 'residuals.svg']) {
      expect(page).toContain(`src="/models/diabetes-progression/files/${file}"`);
      const figure = await served.app.request(`/models/diabetes-progression/files/${file}`);
      expect(figure.status).toBe(200);
      expect(figure.headers.get('content-type')).toBe('image/svg+xml');
    }
    expect(page).not.toContain('roc.svg');
    expect(page).toContain('progression from 25 to 346');
  });

  it("lists a categorical feature's categories and its most frequent one in the card's feature table", async () => {
    const served = await serving(READMISSIONS_DIR);
    const page = await htmlOf(await served.app.request('/models/readmissions'));
    expect(page).toMatch(
      /<code>race<\/code><\/th><td>Race<\/td><td class="nowrap"><\/td> <td>category<\/td><td>African American, Asian, Caucasian, Hispanic<\/td>/,
    );
    expect(page).toContain('<code>categories</code> string [N, 2]');
  });
});

describe("the card's drift section, per task", () => {
  it('shows a categorical feature judged by chi-square and a multiclass model’s live accuracy and macro F1', async () => {
    const served = await startRuntime({ modelUri: READMISSIONS_DIR });
    try {
      const inputs = sampleRows(READMISSIONS, 400, 5, {}, { race: { category: 'Asian', share: 0.7 } });
      const row = { probability: 0.6, value: null, observedValue: null };
      const routes = pageRoutes({
        ...depsOf(served),
        predictionLog: recordingLog(),
        latestDrift: async (manifest) =>
          driftReport({
            manifest,
            since: undefined,
            until: undefined,
            inputs,
            total: 400,
            outcomes: [
              { ...row, prediction: 2, outcome: 2 },
              { ...row, prediction: 2, outcome: 1 },
            ],
          }),
      });
      const page = await htmlOf(await routes.request('/models/readmissions'));
      expect(page).toContain('Drift in race: PSI above 0.2');
      const race = page
        .split('id="drift-heading"')[1]!
        .split('<tr>')
        .find((cells) => cells.includes('<code>race</code>'))!;
      expect(race).toMatch(/<td>χ²<\/td><td class="number">0\.000<\/td><td>drift<\/td>/);
      expect(page).toContain(
        `On 2 reported outcomes: accuracy 0.500 (held-out ${READMISSIONS.metrics.heldOut.accuracy.toFixed(3)}), macro F1`,
      );
    } finally {
      await served.models.close();
    }
  });
});
