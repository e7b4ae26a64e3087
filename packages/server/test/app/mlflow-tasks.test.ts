/**
 * MLflow's scoring protocol and positional rows for every task: a multiclass model (iris), a regression model
 * (diabetes progression) and a multiclass model on categorical features (readmissions), each answer checked
 * against `/predict`'s for the same rows.
 */
import type { ModelManifest } from '@glyco/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap.ts';
import { ProblemSchema } from '../../src/openapi/response-schemas.ts';
import { JSON_HEADERS, testRuntime } from '../support/fixtures.ts';
import {
  IRIS,
  IRIS_DIR,
  IRIS_ROW,
  PROGRESSION,
  PROGRESSION_DIR,
  PROGRESSION_ROW,
  READMISSIONS,
  READMISSIONS_DIR,
  READMISSIONS_ROW,
} from '../support/task-models.ts';

const MODELS = {
  iris: { dir: IRIS_DIR, manifest: IRIS as ModelManifest, row: IRIS_ROW as Record<string, unknown> },
  progression: {
    dir: PROGRESSION_DIR,
    manifest: PROGRESSION as ModelManifest,
    row: PROGRESSION_ROW as Record<string, unknown>,
  },
  readmissions: {
    dir: READMISSIONS_DIR,
    manifest: READMISSIONS as ModelManifest,
    row: READMISSIONS_ROW as Record<string, unknown>,
  },
};
type Key = keyof typeof MODELS;
const runtimes = {} as Record<Key, Runtime>;

beforeAll(async () => {
  for (const [key, { dir }] of Object.entries(MODELS)) {
    runtimes[key as Key] = await testRuntime({ env: { MODEL_URI: dir, LOG_LEVEL: 'silent' } });
  }
});
afterAll(async () => {
  for (const runtime of Object.values(runtimes)) await runtime.models.close();
});

const post = (key: Key, path: string, body: string, headers: Record<string, string> = JSON_HEADERS) =>
  runtimes[key].app.request(path, { method: 'POST', headers, body });

/** Two rows per model: the valid one, and the same with its first numeric feature lowered (and still whole). */
function rowsOf(key: Key): Record<string, unknown>[] {
  const { manifest, row } = MODELS[key];
  const numeric = manifest.features.find((feature) => feature.dtype !== 'category')!;
  return [row, { ...row, [numeric.name]: Math.round((row[numeric.name] as number) * 0.9) }];
}
const positional = (key: Key, row: Record<string, unknown>) =>
  MODELS[key].manifest.features.map((feature) => row[feature.name]);

async function predicted(key: Key) {
  const res = await post(key, '/predict', JSON.stringify({ instances: rowsOf(key) }));
  return ((await res.json()) as { predictions: Record<string, unknown>[] }).predictions;
}

describe.each(Object.keys(MODELS) as Key[])('POST /invocations on %s', (key) => {
  const { manifest } = MODELS[key];
  const names = manifest.features.map((feature) => feature.name);

  it('answers dataframe_split with the labels, or for regression the values, that /predict gives', async () => {
    const body = {
      dataframe_split: { columns: names, data: rowsOf(key).map((row) => positional(key, row)) },
    };
    const res = await post(key, '/invocations', JSON.stringify(body));
    expect(res.status).toBe(200);
    const reference = await predicted(key);
    const expected = reference.map((answer) =>
      manifest.task === 'regression' ? answer.value : answer.label,
    );
    expect(await res.json()).toEqual({ predictions: expected });
  });

  it('answers a CSV data frame the same, category cells as text', async () => {
    const quote = (value: unknown) =>
      typeof value === 'string' && /[ ,]/.test(value) ? `"${value}"` : value;
    const csv = [
      names.map(quote).join(','),
      ...rowsOf(key).map((row) => positional(key, row).map(quote).join(',')),
    ];
    const res = await post(key, '/invocations', `${csv.join('\n')}\n`, { 'content-type': 'text/csv' });
    expect(res.status).toBe(200);
    const json = JSON.stringify({ dataframe_records: rowsOf(key) });
    expect(await res.json()).toEqual(await (await post(key, '/invocations', json)).json());
  });

  it('answers {"features": [...]} on /predict as the same row by name', async () => {
    const [byName, byPosition] = await Promise.all([
      post(key, '/predict', JSON.stringify(MODELS[key].row)),
      post(key, '/predict', JSON.stringify({ features: positional(key, MODELS[key].row) })),
    ]);
    const strip = async (res: Response) => {
      const { request_id: _, ...answer } = (await res.json()) as Record<string, unknown>;
      return answer;
    };
    expect(byPosition.status).toBe(200);
    expect(await strip(byPosition)).toEqual(await strip(byName));
  });
});

describe('params.predict_fn = predict_proba', () => {
  it.each(['iris', 'readmissions'] as const)(
    'answers %s’s class probabilities in class label order',
    async (key) => {
      const body = { dataframe_records: rowsOf(key), params: { predict_fn: 'predict_proba' } };
      const res = await post(key, '/invocations', JSON.stringify(body));
      expect(res.status).toBe(200);
      const { predictions } = (await res.json()) as { predictions: number[][] };
      const manifest = MODELS[key].manifest as Extract<ModelManifest, { task: 'multiclass' }>;
      const reference = await predicted(key);
      expect(predictions).toEqual(
        reference.map((answer) =>
          manifest.target.classLabels.map((label) => (answer.probabilities as Record<string, number>)[label]),
        ),
      );
    },
  );

  it('is refused for a regression model, which has no probabilities', async () => {
    const body = { instances: rowsOf('progression'), params: { predict_fn: 'predict_proba' } };
    const res = await post('progression', '/invocations', JSON.stringify(body));
    expect(res.status).toBe(400);
    const problem = ProblemSchema.passthrough().parse(await res.json());
    expect(problem.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(problem.detail).toBe(
      'params.predict_fn is predict_proba, but a regression model has no probabilities',
    );
  });
});

describe('a category refused in other layouts', () => {
  it('is named by its feature in a positional row, a name with a space included', async () => {
    const names = READMISSIONS.features.map((feature) => feature.name);
    const row = positional('readmissions', { ...READMISSIONS_ROW, 'admission type': 'emergency' });
    const res = await post('readmissions', '/predict', JSON.stringify({ features: row }));
    expect(res.status).toBe(422);
    const problem = ProblemSchema.parse(await res.json());
    const index = names.indexOf('admission type');
    expect(problem.errors?.[0]?.pointer).toBe(`#/features/${index}`);
    expect(problem.detail).toMatch(new RegExp(`^features\\[${index}\\] \\(admission type\\) must be one of`));
  });

  it('is named where it sits in the body', async () => {
    const names = READMISSIONS.features.map((feature) => feature.name);
    const data = [positional('readmissions', { ...READMISSIONS_ROW, race: 'Martian' })];
    const res = await post(
      'readmissions',
      '/invocations',
      JSON.stringify({ dataframe_split: { columns: names, data } }),
    );
    expect(res.status).toBe(400);
    const problem = ProblemSchema.parse(await res.json());
    expect(problem.errors?.[0]?.pointer).toBe(`#/dataframe_split/data/0/${names.indexOf('race')}`);
    expect(problem.detail).toMatch(
      /^dataframe_split\.data\[0\]\[\d\] \(race\) must be one of "African American"/,
    );
  });
});
