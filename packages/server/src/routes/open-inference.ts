import type { ModelManifest } from '@glyco/contract';
import { type Context, Hono } from 'hono';
import packageJson from '../../package.json' with { type: 'json' };
import type { AppDeps } from '../app-deps.ts';
import { access, PUBLIC } from '../auth/access.ts';
import type { AppEnv } from '../http/context.ts';
import { Problem } from '../http/problem.ts';
import { respondJson } from '../http/respond.ts';
import type { ModelOutputs } from '../model/inference-engine.ts';
import { handlePrediction, type Prediction } from '../prediction/handle-prediction.ts';
import { type InferenceRequest, parseInferenceRequest } from '../validation/inference-request.ts';
import { inputTensors, tensorDatatype } from '../validation/inference-request-schema.ts';

/** Each model endpoint answers both with and without an explicit version. */
const MODEL_PATHS = ['/v2/models/:name', '/v2/models/:name/versions/:version'];

/** 404 unless the path names the model being served (and its version, when given). */
function checkModel(c: Context<AppEnv>, manifest: ModelManifest): void {
  const name = c.req.param('name');
  const version = c.req.param('version');
  if (name !== manifest.name) {
    throw new Problem(
      'not-found',
      `model "${name}" is not served here; this server serves "${manifest.name}"`,
    );
  }
  if (version !== undefined && version !== manifest.version) {
    throw new Problem(
      'not-found',
      `version "${version}" of "${name}" is not served here; serving ${manifest.version}`,
    );
  }
}

/** A float output tensor's v2 datatype. */
function floatDatatype(data: Float32Array | Float64Array): 'FP32' | 'FP64' {
  return data instanceof Float64Array ? 'FP64' : 'FP32';
}

/** The model's outputs for `count` rows as v2 tensors, by output name. */
function outputTensors(manifest: ModelManifest, outputs: ModelOutputs, count: number) {
  const names: Partial<Record<'label' | 'probabilities' | 'value', string>> = manifest.onnx.outputs;
  if (outputs.kind === 'values') {
    const { values } = outputs;
    const value = names.value!;
    return {
      [value]: { name: value, datatype: floatDatatype(values), shape: [count, 1], data: Array.from(values) },
    };
  }
  const [label, probabilities] = [names.label!, names.probabilities!];
  return {
    [label]: { name: label, datatype: 'INT64', shape: [count], data: Array.from(outputs.labels) },
    [probabilities]: {
      name: probabilities,
      datatype: floatDatatype(outputs.probabilities),
      shape: [count, outputs.probabilities.length / count],
      data: Array.from(outputs.probabilities),
    },
  };
}

/** The v2 inference response: the output tensors the request asked for, in its order. */
function inferResponse({ manifest, rows, outputs, requestId }: Prediction<InferenceRequest>) {
  const tensors: Record<string, unknown> = outputTensors(manifest, outputs, rows.count);
  return {
    model_name: manifest.name,
    model_version: manifest.version,
    id: rows.id ?? requestId,
    outputs: rows.outputs.map((name) => tensors[name]),
  };
}

/** The output tensors' metadata: the task's outputs, as the ONNX graph gives them. */
function outputMetadata(manifest: ModelManifest) {
  if (manifest.task === 'regression') {
    return [{ name: manifest.onnx.outputs.value, datatype: 'FP64', shape: [-1, 1] }];
  }
  const { label, probabilities } = manifest.onnx.outputs;
  return [
    { name: label, datatype: 'INT64', shape: [-1] },
    { name: probabilities, datatype: 'FP32', shape: [-1, manifest.target.classLabels.length] },
  ];
}

function modelMetadata(manifest: ModelManifest) {
  const { input, categoricalInput } = manifest.onnx;
  const { required, numericWidth, categoricalWidth } = inputTensors(manifest);
  return {
    name: manifest.name,
    versions: [manifest.version],
    platform: 'onnxruntime_onnx',
    inputs: [
      ...(required.includes(input.name)
        ? [{ name: input.name, datatype: tensorDatatype(input.dtype), shape: [-1, numericWidth] }]
        : []),
      ...(categoricalInput
        ? [{ name: categoricalInput.name, datatype: 'BYTES', shape: [-1, categoricalWidth] }]
        : []),
    ],
    outputs: outputMetadata(manifest),
  };
}

/**
 * Open Inference Protocol v2 REST (KServe, Triton and MLServer clients): server and model metadata, health,
 * and `infer` on the ONNX input tensor. Validation is the same as `/predict`'s, per feature.
 */
export function openInferenceRoutes(deps: AppDeps): Hono<AppEnv> {
  const { models, isDraining } = deps;
  const app = new Hono<AppEnv>();
  const predictors = access(['predict']);
  app.get('/v2', predictors, (c) =>
    respondJson(c, { name: 'glyco', version: packageJson.version, extensions: [] }),
  );
  app.get('/v2/health/live', PUBLIC, (c) => respondJson(c, { live: true }));
  app.get('/v2/health/ready', PUBLIC, (c) =>
    respondJson(c, { ready: !isDraining() }, isDraining() ? 503 : 200),
  );

  for (const path of MODEL_PATHS) {
    app.get(path, predictors, (c) => {
      const { manifest } = models.current();
      checkModel(c, manifest);
      return respondJson(c, modelMetadata(manifest));
    });
    app.get(`${path}/ready`, predictors, (c) => {
      const { manifest } = models.current();
      checkModel(c, manifest);
      return respondJson(c, { name: manifest.name, ready: true });
    });
    app.post(`${path}/infer`, predictors, async (c) => {
      checkModel(c, models.current().manifest);
      return respondJson(c, inferResponse(await handlePrediction(c, deps, parseInferenceRequest)));
    });
  }
  return app;
}
