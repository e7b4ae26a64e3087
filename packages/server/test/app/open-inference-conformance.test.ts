/**
 * The Open Inference Protocol v2 REST API, point by point as its specification states it
 * (kserve/open-inference-protocol, specification/protocol/inference_rest.md and open_inference_rest.yaml):
 * health, server and model metadata, readiness, inference with each datatype that fits the model, parameters,
 * requested outputs, the id, and errors as `{"error": "..."}` with status 400. BYTES tensors for categorical
 * features are covered per task in tasks.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap.ts';
import { InferenceResponseSchema } from '../../src/openapi/response-schemas.ts';
import { MANIFEST, recordingLog, testRuntime, VALID_ROW } from '../support/fixtures.ts';

let runtime: Runtime;
beforeAll(async () => {
  runtime = await testRuntime({ predictionLog: recordingLog() });
});
afterAll(() => runtime.models.close());

const MODEL = `/v2/models/${MANIFEST.name}`;
const NAMES = MANIFEST.features.map((feature) => feature.name);
/** A valid row of whole numbers, so that every integer datatype can carry it. */
const WHOLE_ROW = NAMES.map((name) =>
  Math.round({ ...VALID_ROW, pedigree: 1 }[name as keyof typeof VALID_ROW]),
);
const get = (path: string) => runtime.app.request(path);
const infer = (body: unknown, path = `${MODEL}/infer`) =>
  runtime.app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const features = (datatype: string, data: unknown[] = WHOLE_ROW, rows = 1) => ({
  name: 'features',
  shape: [rows, NAMES.length],
  datatype,
  data,
});

describe('health: live and ready', () => {
  it('GET /v2/health/live answers 200 {"live": true}', async () => {
    const res = await get('/v2/health/live');
    expect([res.status, await res.json()]).toEqual([200, { live: true }]);
  });

  it('GET /v2/health/ready answers 200 {"ready": true} once the model is loaded', async () => {
    const res = await get('/v2/health/ready');
    expect([res.status, await res.json()]).toEqual([200, { ready: true }]);
  });

  it('GET /v2/models/{name}[/versions/{version}]/ready answers {"name", "ready": true}', async () => {
    for (const path of [`${MODEL}/ready`, `${MODEL}/versions/${MANIFEST.version}/ready`]) {
      expect(await (await get(path)).json()).toEqual({ name: MANIFEST.name, ready: true });
    }
  });
});

describe('metadata', () => {
  it('GET /v2 answers the server metadata: name, version, extensions', async () => {
    const body = await (await get('/v2')).json();
    expect(body).toEqual({
      name: 'glyco',
      version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      extensions: [],
    });
  });

  it('GET /v2/models/{name} answers name, versions, platform, and each tensor’s name, datatype and shape', async () => {
    const body = await (await get(MODEL)).json();
    expect(body).toMatchObject({
      name: MANIFEST.name,
      versions: [MANIFEST.version],
      platform: 'onnxruntime_onnx',
    });
    for (const tensor of [...body.inputs, ...body.outputs]) {
      expect(tensor).toEqual({
        name: expect.any(String),
        datatype: expect.any(String),
        shape: expect.any(Array),
      });
      expect(tensor.shape[0]).toBe(-1);
    }
  });

  it.each([
    [`/v2/models/other`, 'model "other" is not served here'],
    [`${MODEL}/versions/0.0.0`, 'version "0.0.0" of "pima-diabetes" is not served here'],
    [`/v2/models/other/ready`, 'model "other" is not served here'],
  ])('GET %s of a model not served: 404 with {"error"}', async (path, error) => {
    const res = await get(path);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error.startsWith(error)).toBe(true);
  });
});

describe('inference', () => {
  async function outputsFor(datatype: string) {
    const res = await infer({ inputs: [features(datatype)] });
    expect(res.status).toBe(200);
    return InferenceResponseSchema.parse(await res.json()).outputs;
  }

  it.each(['FP16', 'FP64', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64'])(
    'takes the features as %s and answers as it does for FP32',
    async (datatype) => {
      expect(await outputsFor(datatype)).toEqual(await outputsFor('FP32'));
    },
  );

  it.each([
    ['INT8', WHOLE_ROW, `inputs[0].data[1] must be a whole number from -128 to 127, as INT8 holds`],
    [
      'UINT8',
      WHOLE_ROW.with(0, -1),
      'inputs[0].data[0] must be a whole number from 0 to 255, as UINT8 holds',
    ],
    [
      'INT32',
      [...WHOLE_ROW.slice(0, 5), 33.6, ...WHOLE_ROW.slice(6)],
      'inputs[0].data[5] must be a whole number',
    ],
  ])(
    'refuses %s data the type cannot hold: 400 {"error"} naming the value',
    async (datatype, data, error) => {
      const res = await infer({ inputs: [features(datatype, data)] });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error.startsWith(error)).toBe(true);
    },
  );

  it('refuses BOOL, which no feature is, naming the datatypes it takes', async () => {
    const res = await infer({ inputs: [features('BOOL', WHOLE_ROW.map(Boolean))] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(
      /^inputs\[0\]\.datatype must be one of "FP16", "FP32"/,
    );
  });

  it('accepts parameters on the request, its tensors and its requested outputs', async () => {
    const res = await infer({
      parameters: { content_type: 'np', priority: 1 },
      inputs: [{ ...features('FP32'), parameters: { content_type: 'np' } }],
      outputs: [{ name: 'label', parameters: { binary_data: false } }],
    });
    expect(res.status).toBe(200);
  });

  it('answers the outputs a request names, in its order, and all of them when it names none', async () => {
    const named = await infer({
      inputs: [features('FP32')],
      outputs: [{ name: 'probabilities' }, { name: 'label' }],
    });
    expect(InferenceResponseSchema.parse(await named.json()).outputs.map((o) => o.name)).toEqual([
      'probabilities',
      'label',
    ]);
    const all = await infer({ inputs: [features('FP32')] });
    expect(InferenceResponseSchema.parse(await all.json()).outputs.map((o) => o.name)).toEqual([
      'label',
      'probabilities',
    ]);
  });

  it('echoes the request’s id, and gives its own (the X-Request-Id) when there is none', async () => {
    const given = await infer({ id: 'client-42', inputs: [features('FP32')] });
    expect(InferenceResponseSchema.parse(await given.json()).id).toBe('client-42');
    const none = await infer({ inputs: [features('FP32')] });
    expect(InferenceResponseSchema.parse(await none.json()).id).toBe(none.headers.get('x-request-id'));
  });

  it('answers model_name and model_version', async () => {
    const body = InferenceResponseSchema.parse(await (await infer({ inputs: [features('FP32')] })).json());
    expect(body).toMatchObject({ model_name: MANIFEST.name, model_version: MANIFEST.version });
  });
});

describe('errors: {"error": "..."} with status 400 for a request the server cannot use', () => {
  it.each([
    ['malformed JSON', '{"inputs": ['],
    ['no inputs', {}],
    ['a wrong tensor name', { inputs: [{ ...features('FP32'), name: 'x' }] }],
    ['a shape that does not match the data', { inputs: [features('FP32', WHOLE_ROW, 2)] }],
    ['a value out of range', { inputs: [features('FP32', WHOLE_ROW.with(7, 500))] }],
    ['an unknown output', { inputs: [features('FP32')], outputs: [{ name: 'logits' }] }],
  ])('%s', async (_case, body) => {
    const res = await infer(body);
    expect(res.status).toBe(400);
    const error = ((await res.json()) as { error: unknown }).error;
    expect(typeof error).toBe('string');
    expect(error).not.toBe('');
  });
});
