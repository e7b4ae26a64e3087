import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap.ts';
import { nearlyValidRow, validRow } from '../support/arbitraries.ts';
import { JSON_HEADERS, MANIFEST, MODEL_DIR, testRuntime } from '../support/fixtures.ts';

let runtime: Runtime;
let session: InferenceSession;
beforeAll(async () => {
  runtime = await testRuntime({ env: { LOG_LEVEL: 'silent' } });
  session = await InferenceSession.create(await readFile(join(MODEL_DIR, 'model.onnx')));
});
afterAll(async () => {
  await runtime.models.close();
  await session.release();
});

const post = (path: string, body: string, headers = JSON_HEADERS) =>
  runtime.app.request(path, { method: 'POST', headers, body });
const INFER = `/v2/models/${MANIFEST.name}/infer`;

/** What the ONNX model itself says for rows, run directly through onnxruntime-node, outside the app. */
async function modelSays(rows: Record<string, unknown>[]) {
  const values = new Float32Array(rows.length * MANIFEST.features.length);
  const width = MANIFEST.features.length;
  for (const [r, row] of rows.entries()) {
    for (const [f, feature] of MANIFEST.features.entries()) {
      const value = row[feature.name];
      if (feature.dtype === 'category') throw new Error('the bundled model has no categorical feature');
      const missing = typeof value !== 'number' || (feature.zeroMeansMissing && value === 0);
      values[r * width + f] = missing ? Number.NaN : value;
    }
  }
  const out = await session.run({
    features: new Tensor('float32', values, [rows.length, MANIFEST.features.length]),
  });
  const probabilities = out.probabilities!.data as Float32Array;
  const labels = out.label!.data as BigInt64Array;
  return rows.map((_, r) => ({ probability: probabilities[r * 2 + 1], prediction: Number(labels[r]) }));
}

describe('the predict routes, for any input', () => {
  it('never answer 5xx to random JSON, and answer problem+json when they refuse', async () => {
    const bodies = fc.oneof(
      fc.jsonValue().map((value) => JSON.stringify(value)),
      nearlyValidRow.map((row) => JSON.stringify(row)),
      fc.array(nearlyValidRow, { maxLength: 5 }).map((rows) => JSON.stringify({ instances: rows })),
      fc.string(),
    );
    await fc.assert(
      fc.asyncProperty(bodies, fc.constantFrom('/predict', INFER), async (body, path) => {
        const res = await post(path, body);
        expect(res.status).toBeLessThan(500);
        expect([200, 400, 413, 422]).toContain(res.status);
        if (res.status !== 200) expect(res.headers.get('content-type')).toBe('application/problem+json');
      }),
      { numRuns: 400 },
    );
  });

  it('give valid rows probabilities in [0, 1] equal to the ONNX model’s, one row or many', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(validRow, { minLength: 1, maxLength: 20 }), async (rows) => {
        const expected = await modelSays(rows);
        const batch = await post('/predict', JSON.stringify({ instances: rows }));
        expect(batch.status).toBe(200);
        const { predictions } = await batch.json();
        const single = await (await post('/predict', JSON.stringify(rows[0]))).json();
        expect(
          predictions.map((p: { probability: number; prediction: number }) => ({
            probability: p.probability,
            prediction: p.prediction,
          })),
        ).toEqual(expected);
        expect({ probability: single.probability, prediction: single.prediction }).toEqual(expected[0]);
        for (const { probability } of predictions) {
          expect(probability).toBeGreaterThanOrEqual(0);
          expect(probability).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('give the same answers when concurrent requests are batched together', async () => {
    const runs = async () =>
      Number(
        /^glyco_inference_batch_requests_count (\d+)$/m.exec(
          await (await runtime.app.request('/metrics')).text(),
        )?.[1],
      );
    const runsBefore = await runs();
    let requests = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(validRow, { minLength: 2, maxLength: 30 }), async (rows) => {
        const expected = await modelSays(rows);
        requests += rows.length;
        const answers = await Promise.all(
          rows.map(async (row) => (await post('/predict', JSON.stringify(row))).json()),
        );
        expect(answers.map((a) => ({ probability: a.probability, prediction: a.prediction }))).toEqual(
          expected,
        );
      }),
      { numRuns: 50 },
    );
    // Coalesced: far fewer model runs than requests.
    expect((await runs()) - runsBefore).toBeLessThan(requests / 2);
  });
});
