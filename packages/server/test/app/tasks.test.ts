/**
 * Every task through the app's API: a multiclass model (iris), a regression model (diabetes progression) and a
 * multiclass model on categorical features whose names hold a space and a hyphen (readmissions). The answers
 * are checked against onnxruntime-node run on the same rows outside the app.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isCategorical, type ModelManifest } from '@glyco/contract';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap.ts';
import {
  InferenceResponseSchema,
  ProblemSchema,
  predictResponsesFor,
} from '../../src/openapi/response-schemas.ts';
import { JSON_HEADERS, recordingLog, testRuntime } from '../support/fixtures.ts';
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

interface Served {
  runtime: Runtime;
  log: ReturnType<typeof recordingLog>;
  session: InferenceSession;
}

const MODELS = {
  iris: { dir: IRIS_DIR, manifest: IRIS as ModelManifest },
  progression: { dir: PROGRESSION_DIR, manifest: PROGRESSION as ModelManifest },
  readmissions: { dir: READMISSIONS_DIR, manifest: READMISSIONS as ModelManifest },
};
const served = {} as Record<keyof typeof MODELS, Served>;

beforeAll(async () => {
  for (const [key, { dir }] of Object.entries(MODELS)) {
    const log = recordingLog();
    const [runtime, session] = await Promise.all([
      testRuntime({ predictionLog: log, env: { MODEL_URI: dir, LOG_LEVEL: 'silent', MAX_INSTANCES: '20' } }),
      InferenceSession.create(await readFile(join(dir, 'model.onnx'))),
    ]);
    served[key as keyof typeof MODELS] = { runtime, log, session };
  }
});
afterAll(async () => {
  for (const { runtime, session } of Object.values(served)) {
    await runtime.models.close();
    await session.release();
  }
});

const post = (model: Served, path: string, body: unknown) =>
  model.runtime.app.request(path, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });

/** What the ONNX model itself gives for rows, run through onnxruntime-node outside the app. */
async function modelSays(model: Served, manifest: ModelManifest, rows: Record<string, unknown>[]) {
  const numeric = manifest.features.filter((feature) => !isCategorical(feature));
  const categorical = manifest.features.filter(isCategorical);
  const feeds: Record<string, Tensor> = {
    features: new Tensor(
      'float32',
      Float32Array.from(
        rows.flatMap((row) => numeric.map((f) => (row[f.name] as number | null) ?? Number.NaN)),
      ),
      [rows.length, numeric.length],
    ),
  };
  if (categorical.length > 0) {
    const texts = rows.flatMap((row) => categorical.map((f) => (row[f.name] as string | null) ?? ''));
    feeds.categories = new Tensor('string', texts, [rows.length, categorical.length]);
  }
  return model.session.run(feeds);
}

describe.each([
  ['iris', IRIS_ROW, { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }],
  ['readmissions', READMISSIONS_ROW, { ...READMISSIONS_ROW, race: null, 'HbA1c-level': null, age: 40 }],
] as const)('POST /predict on a multiclass model (%s)', (key, row, other) => {
  const model = () => served[key];
  const manifest = MODELS[key].manifest;
  const labels = manifest.task === 'multiclass' ? manifest.target.classLabels : [];

  it("answers the predicted class's index and label and every class's probability by label, as the model gives them", async () => {
    const res = await post(model(), '/predict', row);
    expect(res.status).toBe(200);
    const body = predictResponsesFor(manifest).single.parse(await res.json()) as {
      prediction: number;
      label: string;
      probabilities: Record<string, number>;
      model: unknown;
    };
    expect(Object.keys(body).sort()).toEqual(['label', 'model', 'prediction', 'probabilities', 'request_id']);
    expect(body.model).toEqual({ name: manifest.name, version: manifest.version });
    const outputs = await modelSays(model(), manifest, [row]);
    const probabilities = Array.from(outputs.probabilities!.data as Float32Array);
    expect(body.prediction).toBe(Number((outputs.label!.data as BigInt64Array)[0]));
    expect(body.label).toBe(labels[body.prediction]);
    expect(Object.keys(body.probabilities).sort()).toEqual([...labels].sort());
    expect(labels.map((label) => body.probabilities[label])).toEqual(probabilities);
    expect(probabilities.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 5);
    expect(body.probabilities[body.label]).toBe(Math.max(...probabilities));
  });

  it('answers instances in order, each as it would be alone, and logs each with its probabilities in label order', async () => {
    model().log.records.length = 0;
    const res = await post(model(), '/predict', { instances: [row, other] });
    const body = predictResponsesFor(manifest).batch.parse(await res.json()) as {
      predictions: { prediction: number; label: string; probabilities: Record<string, number> }[];
    };
    const alone = await (await post(model(), '/predict', other)).json();
    expect(body.predictions[1]).toEqual({ ...alone, model: undefined, request_id: undefined });
    expect(model().log.records).toHaveLength(3);
    const [first] = model().log.records;
    expect(first!.inputs).toEqual(row);
    expect(first!.outputs).toEqual({
      prediction: body.predictions[0]!.prediction,
      label: body.predictions[0]!.label,
      probabilities: labels.map((label) => body.predictions[0]!.probabilities[label]),
    });
    expect(model().log.records[1]!.inputs).toEqual(
      Object.fromEntries(
        manifest.features.map((f) => [f.name, (other as Record<string, unknown>)[f.name] ?? null]),
      ),
    );
  });
});

describe('POST /predict on a regression model', () => {
  const model = () => served.progression;

  it('answers the value with its unit and the interval the manifest gives, as the model computes it', async () => {
    const res = await post(model(), '/predict', PROGRESSION_ROW);
    expect(res.status).toBe(200);
    const body = predictResponsesFor(PROGRESSION).single.parse(await res.json()) as {
      value: number;
      unit: string | null;
      interval: { low: number; high: number; coverage: number };
    };
    expect(Object.keys(body).sort()).toEqual(['interval', 'model', 'request_id', 'unit', 'value']);
    const outputs = await modelSays(model(), PROGRESSION, [PROGRESSION_ROW]);
    expect(outputs.value!.dims).toEqual([1, 1]);
    expect(body.value).toBe((outputs.value!.data as Float64Array)[0]);
    expect(body.unit).toBe(PROGRESSION.target.unit);
    const { residualLow, residualHigh, coverage } = PROGRESSION.predictionInterval;
    expect(body.interval).toEqual({
      low: body.value + residualLow,
      high: body.value + residualHigh,
      coverage,
    });
  });

  it('logs each row with its value', async () => {
    model().log.records.length = 0;
    const rows = [PROGRESSION_ROW, { ...PROGRESSION_ROW, bmi: 22 }];
    const body = await (await post(model(), '/predict', { instances: rows })).json();
    expect(model().log.records.map((record) => [record.inputs, record.outputs])).toEqual(
      body.predictions.map((prediction: { value: number }, i: number) => [
        rows[i],
        { value: prediction.value },
      ]),
    );
  });
});

describe('bad input, per task, names the field', () => {
  it.each([
    [
      'an unknown category',
      'readmissions',
      { ...READMISSIONS_ROW, race: 'Other' },
      '#/race',
      'must be one of "African American", "Asian", "Caucasian", "Hispanic", not the string "Other"',
    ],
    [
      'a category in another case',
      'readmissions',
      { ...READMISSIONS_ROW, 'admission type': 'emergency' },
      '#/admission%20type',
      'must be one of "Elective", "Emergency", "Urgent"; did you mean "Emergency"?',
    ],
    [
      'a number for a category',
      'readmissions',
      { ...READMISSIONS_ROW, race: 2 },
      '#/race',
      'must be one of "African American", "Asian", "Caucasian", "Hispanic" (a text), not a number',
    ],
    [
      'a required category left out',
      'readmissions',
      { ...READMISSIONS_ROW, 'admission type': undefined },
      '#/admission%20type',
      'is required',
    ],
    [
      'a text for a number of a regression model',
      'progression',
      { ...PROGRESSION_ROW, bmi: 'thirty' },
      '#/bmi',
      'must be a number, not the string "thirty"',
    ],
    [
      'a number out of range for a multiclass model',
      'iris',
      { ...IRIS_ROW, petal_width: 50 },
      '#/petal_width',
      'must be at most 5 cm',
    ],
  ] as const)('%s (%s): 422 at %s', async (_case, key, row, pointer, detail) => {
    const res = await post(served[key], '/predict', row);
    expect(res.status).toBe(422);
    const problem = ProblemSchema.parse(await res.json());
    expect(problem.errors).toEqual([{ pointer, detail }]);
  });
});

describe('Open Inference Protocol v2, per task', () => {
  const infer = (key: keyof typeof MODELS, body: unknown) =>
    post(served[key], `/v2/models/${MODELS[key].manifest.name}/infer`, body);
  const numbers = (row: Record<string, unknown>, manifest: ModelManifest) =>
    manifest.features.filter((f) => !isCategorical(f)).map((f) => row[f.name] ?? null);
  const texts = (row: Record<string, unknown>, manifest: ModelManifest) =>
    manifest.features.filter(isCategorical).map((f) => row[f.name] ?? null);

  it("gives a regression model's value tensor, FP64 [rows, 1], equal to /predict's values", async () => {
    const rows = [PROGRESSION_ROW, { ...PROGRESSION_ROW, bmi: 22 }];
    const res = await infer('progression', {
      inputs: [
        {
          name: 'features',
          shape: [2, 10],
          datatype: 'FP32',
          data: rows.map((r) => numbers(r, PROGRESSION)),
        },
      ],
    });
    expect(res.status).toBe(200);
    const body = InferenceResponseSchema.parse(await res.json());
    const predicted = await (await post(served.progression, '/predict', { instances: rows })).json();
    expect(body.outputs).toEqual([
      {
        name: 'value',
        datatype: 'FP64',
        shape: [2, 1],
        data: predicted.predictions.map((p: { value: number }) => p.value),
      },
    ]);
    const metadata = await (
      await served.progression.runtime.app.request('/v2/models/diabetes-progression')
    ).json();
    expect(metadata.outputs).toEqual([{ name: 'value', datatype: 'FP64', shape: [-1, 1] }]);
  });

  it('takes the categories as a BYTES tensor beside the numbers, in either order, and logs the row as sent', async () => {
    served.readmissions.log.records.length = 0;
    const categories = {
      name: 'categories',
      shape: [1, 2],
      datatype: 'BYTES',
      data: texts(READMISSIONS_ROW, READMISSIONS),
    };
    const features = {
      name: 'features',
      shape: [1, 3],
      datatype: 'FP32',
      data: numbers(READMISSIONS_ROW, READMISSIONS),
    };
    const res = await infer('readmissions', {
      inputs: [categories, features],
      outputs: [{ name: 'probabilities' }],
    });
    expect(res.status).toBe(200);
    const body = InferenceResponseSchema.parse(await res.json());
    const predicted = await (await post(served.readmissions, '/predict', READMISSIONS_ROW)).json();
    expect(body.outputs).toEqual([
      {
        name: 'probabilities',
        datatype: 'FP32',
        shape: [1, 3],
        data: READMISSIONS.target.classLabels.map((label) => predicted.probabilities[label]),
      },
    ]);
    expect(served.readmissions.log.records[0]!.inputs).toEqual(READMISSIONS_ROW);
    const metadata = await (await served.readmissions.runtime.app.request('/v2/models/readmissions')).json();
    expect(metadata.inputs).toEqual([
      { name: 'features', datatype: 'FP32', shape: [-1, 3] },
      { name: 'categories', datatype: 'BYTES', shape: [-1, 2] },
    ]);
  });

  it.each([
    [
      'an unknown category, at its place in the BYTES tensor',
      [{ name: 'categories', shape: [1, 2], datatype: 'BYTES', data: [['Emergency', 'Martian']] }],
      'inputs[1].data[0][1] (row 0, race) must be one of "African American", "Asian", "Caucasian", "Hispanic", not the string "Martian"',
    ],
    ['no categories tensor', [], 'inputs must hold the tensors, "features" and "categories"'],
    [
      'the numbers twice and no categories',
      [{ name: 'features', shape: [1, 3], datatype: 'FP32', data: [70, 8, 2] }],
      'inputs must hold the tensor "categories", once',
    ],
    [
      'categories sent as numbers',
      [{ name: 'categories', shape: [1, 2], datatype: 'FP32', data: [1, 2] }],
      'inputs[1].datatype must be "BYTES"',
    ],
    [
      'tensors of different row counts',
      [{ name: 'categories', shape: [2, 2], datatype: 'BYTES', data: ['Emergency', null, 'Urgent', null] }],
      'inputs[1].shape[0] must be 1, the rows of "features"',
    ],
  ])('refuses %s with 400, the protocol status, naming it', async (_case, extra, detail) => {
    const features = {
      name: 'features',
      shape: [1, 3],
      datatype: 'FP32',
      data: numbers(READMISSIONS_ROW, READMISSIONS),
    };
    const res = await infer('readmissions', { inputs: [features, ...extra] });
    expect(res.status).toBe(400);
    const problem = ProblemSchema.parse(await res.json());
    expect(problem.detail.startsWith(detail)).toBe(true);
    expect(problem.error).toBe(problem.detail);
  });
});

describe('GET /openapi.json and GET /metrics, per task', () => {
  it("documents the task's answers and a categorical feature's categories", async () => {
    const document = await (await served.readmissions.runtime.app.request('/openapi.json')).json();
    const { schemas } = document.components;
    expect(schemas.FeatureRow.properties['admission type']).toMatchObject({
      type: 'string',
      enum: ['Elective', 'Emergency', 'Urgent'],
    });
    expect(Object.keys(schemas.PredictResponse.properties.probabilities.properties)).toEqual([
      '<30',
      '>30',
      'NO',
    ]);
    const example =
      document.paths['/v2/models/{name}/infer'].post.requestBody.content['application/json'].example;
    expect(example.inputs.map((tensor: { name: string; datatype: string }) => tensor.datatype)).toEqual([
      'FP32',
      'BYTES',
    ]);
    const regression = await (await served.progression.runtime.app.request('/openapi.json')).json();
    expect(Object.keys(regression.components.schemas.PredictResponse.properties).sort()).toEqual([
      'interval',
      'model',
      'request_id',
      'unit',
      'value',
    ]);
  });

  it('counts predictions per class for a classifier and a histogram of values for a regression model', async () => {
    const iris = served.iris.runtime.app;
    const before = await (await iris.request('/metrics')).text();
    const count = (text: string, label: string) =>
      Number(
        new RegExp(
          `^glyco_predicted_class_total\\{model="iris",version="1.0.0",class="${label}"\\} (\\d+)$`,
          'm',
        ).exec(text)?.[1] ?? 0,
      );
    const setosa = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
    await post(served.iris, '/predict', {
      instances: [IRIS_ROW, IRIS_ROW, setosa],
    });
    const after = await (await iris.request('/metrics')).text();
    expect(count(after, 'virginica') - count(before, 'virginica')).toBe(2);
    expect(count(after, 'setosa') - count(before, 'setosa')).toBe(1);

    await post(served.progression, '/predict', PROGRESSION_ROW);
    const values = await (await served.progression.runtime.app.request('/metrics')).text();
    const { min, max } = PROGRESSION.trainingData.targetSummary;
    expect(values).toContain(
      `glyco_predicted_value_bucket{model="diabetes-progression",version="1.0.0",le="${min}"}`,
    );
    expect(values).toContain(
      `glyco_predicted_value_bucket{model="diabetes-progression",version="1.0.0",le="${max}"}`,
    );
    expect(values).toMatch(
      /^glyco_predicted_value_count\{model="diabetes-progression",version="1\.0\.0"\} [1-9]/m,
    );
    expect(values).not.toContain('glyco_predicted_class_total{');
  });
});
