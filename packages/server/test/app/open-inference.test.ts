import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap.ts';
import {
  InferenceResponseSchema,
  ModelMetadataSchema,
  PredictResponseSchema,
  ProblemSchema,
} from '../../src/openapi/response-schemas.ts';
import { JSON_HEADERS, MANIFEST, recordingLog, testRuntime, VALID_ROW } from '../support/fixtures.ts';

let runtime: Runtime;
const log = recordingLog();
beforeAll(async () => {
  runtime = await testRuntime({ predictionLog: log });
});
afterAll(() => runtime.models.close());

const MODEL = `/v2/models/${MANIFEST.name}`;
const WIDTH = MANIFEST.features.length;
const ROW = MANIFEST.features.map((feature) => VALID_ROW[feature.name as keyof typeof VALID_ROW]);
const infer = (body: unknown, path = `${MODEL}/infer`) =>
  runtime.app.request(path, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
const tensor = (data: unknown[], rows = 1) => ({
  name: 'features',
  shape: [rows, WIDTH],
  datatype: 'FP32',
  data,
});

describe('Open Inference Protocol v2', () => {
  it('describes the server, its health and the model', async () => {
    expect(await (await runtime.app.request('/v2')).json()).toEqual({
      name: 'glyco',
      version: expect.any(String),
      extensions: [],
    });
    expect(await (await runtime.app.request('/v2/health/live')).json()).toEqual({ live: true });
    expect(await (await runtime.app.request('/v2/health/ready')).json()).toEqual({ ready: true });
    expect(await (await runtime.app.request(`${MODEL}/ready`)).json()).toEqual({
      name: MANIFEST.name,
      ready: true,
    });
    const metadata = ModelMetadataSchema.parse(await (await runtime.app.request(MODEL)).json());
    expect(metadata).toEqual({
      name: MANIFEST.name,
      versions: [MANIFEST.version],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, WIDTH] }],
      outputs: [
        { name: 'label', datatype: 'INT64', shape: [-1] },
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] },
      ],
    });
    const versioned = await runtime.app.request(`${MODEL}/versions/${MANIFEST.version}`);
    expect(await versioned.json()).toEqual(metadata);
  });

  it('infers on the features tensor and agrees with /predict', async () => {
    const res = await infer({
      id: 'req-7',
      inputs: [tensor([...ROW, ...ROW.map((v, i) => (i === 1 ? null : v))], 2)],
    });
    expect(res.status).toBe(200);
    const body = InferenceResponseSchema.parse(await res.json());
    expect(body).toMatchObject({ model_name: MANIFEST.name, model_version: MANIFEST.version, id: 'req-7' });
    const [labels, probabilities] = body.outputs;
    expect(labels).toMatchObject({ name: 'label', datatype: 'INT64', shape: [2] });
    expect(probabilities).toMatchObject({ name: 'probabilities', datatype: 'FP32', shape: [2, 2] });
    const single = PredictResponseSchema.parse(
      await (
        await runtime.app.request('/predict', {
          method: 'POST',
          headers: JSON_HEADERS,
          body: JSON.stringify(VALID_ROW),
        })
      ).json(),
    );
    expect(probabilities!.data[1]).toBe(single.probability);
    expect(labels!.data[0]).toBe(single.prediction);
  });

  it('accepts the data nested by row, a version in the path, and a subset of outputs', async () => {
    const res = await infer(
      { inputs: [tensor([ROW])], outputs: [{ name: 'probabilities' }] },
      `${MODEL}/versions/${MANIFEST.version}/infer`,
    );
    expect(res.status).toBe(200);
    const body = InferenceResponseSchema.parse(await res.json());
    expect(body.outputs.map((output) => output.name)).toEqual(['probabilities']);
    expect(body.id).toBe(res.headers.get('x-request-id'));
  });

  it('logs one record per row', async () => {
    log.records.length = 0;
    await infer({ inputs: [tensor([...ROW, ...ROW], 2)] });
    expect(log.records).toHaveLength(2);
    expect(log.records[0]!.inputs).toEqual({ ...VALID_ROW, insulin: null });
  });

  it.each([
    [
      'another model',
      `/v2/models/other/infer`,
      { inputs: [tensor(ROW)] },
      404,
      'model "other" is not served here; this server serves "pima-diabetes"',
    ],
    [
      'another version',
      `${MODEL}/versions/0.0.1/infer`,
      { inputs: [tensor(ROW)] },
      404,
      'version "0.0.1" of "pima-diabetes" is not served here',
    ],
    [
      'a wrong tensor name',
      `${MODEL}/infer`,
      { inputs: [{ ...tensor(ROW), name: 'x' }] },
      400,
      'inputs[0].name must be "features"',
    ],
    [
      'a wrong width',
      `${MODEL}/infer`,
      { inputs: [{ ...tensor(ROW), shape: [1, 3] }] },
      400,
      'inputs[0].shape[1] must be 8, the feature count',
    ],
    [
      'a shape that does not match the data',
      `${MODEL}/infer`,
      { inputs: [tensor(ROW, 2)] },
      400,
      'inputs[0].data must hold 16 values for shape [2, 8]',
    ],
    [
      'a value out of range',
      `${MODEL}/infer`,
      { inputs: [tensor(ROW.map((v, i) => (i === 7 ? 500 : v)))] },
      400,
      'inputs[0].data[7] (row 0, age) must be at most 120 years',
    ],
    [
      'a text in a numeric tensor',
      `${MODEL}/infer`,
      { inputs: [tensor(ROW.map((v, i) => (i === 2 ? 'high' : v)))] },
      400,
      'inputs[0].data[2] must be a number (null for missing), or a row of numbers',
    ],
    [
      'a null for a required feature',
      `${MODEL}/infer`,
      { inputs: [tensor([ROW.map((v, i) => (i === 0 ? null : v))])] },
      400,
      'inputs[0].data[0][0] (row 0, pregnant) is required and must not be null',
    ],
    [
      'an unknown output',
      `${MODEL}/infer`,
      { inputs: [tensor(ROW)], outputs: [{ name: 'logits' }] },
      400,
      'outputs[0].name must be "label" or "probabilities"',
    ],
    [
      'an unknown field',
      `${MODEL}/infer`,
      { inputs: [tensor(ROW)], input: [] },
      400,
      'input is not a known field; did you mean "inputs"?',
    ],
    [
      'too many rows',
      `${MODEL}/infer`,
      { inputs: [tensor([], 5000)] },
      413,
      'the input tensor holds 5000 rows; at most 1000 are allowed per request',
    ],
  ])(
    'rejects %s with %i and an Open Inference Protocol error member',
    async (_case, path, body, status, detail) => {
      const res = await infer(body, path);
      expect(res.status).toBe(status);
      const problem = ProblemSchema.parse(await res.json());
      expect(problem.detail.startsWith(detail)).toBe(true);
      expect(problem.error).toBe(problem.detail);
    },
  );
});
