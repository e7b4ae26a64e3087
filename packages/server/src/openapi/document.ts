import { isCategorical, type ModelManifest, ModelManifestSchema } from '@glyco/contract';
import { z } from 'zod';
import { exampleRow } from '../model/example-row.ts';
import { inputTensors } from '../validation/inference-request-schema.ts';
import type { ModelSchemas } from '../validation/model-schemas.ts';
import { logPaths } from './log-paths.ts';
import { pagePaths } from './page-paths.ts';
import {
  type JsonSchema,
  json,
  ok,
  pathParameter,
  problems,
  ref,
  SECURITY_SCHEMES,
  secured,
} from './parts.ts';
import {
  InferenceResponseSchema,
  ModelMetadataSchema,
  ProblemSchema,
  predictResponsesFor,
  ReadySchema,
} from './response-schemas.ts';

/** Named schemas → OpenAPI components, cross-referenced by `$ref` instead of repeated. */
function components(schemas: Record<string, z.ZodType>, io: 'input' | 'output'): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const generated = z.toJSONSchema(registry, {
    uri: (id) => `#/components/schemas/${id}`,
    io,
    unrepresentable: 'any',
  });
  return Object.fromEntries(
    Object.entries(generated.schemas).map(([id, { $schema: _schema, $id: _id, ...schema }]) => [id, schema]),
  );
}

/** Who may call the routes, as each declares it where it is registered (see auth/access.ts). */
const PREDICT = ['predict'] as const;
const MODEL_READERS = ['predict', 'read-metrics'] as const;

/** What the model answers, for people: "species (setosa / versicolor / virginica)", "progression (mg/dL)". */
function targetText(manifest: ModelManifest): string {
  if (manifest.task !== 'regression')
    return `${manifest.target.name} (${manifest.target.classLabels.join(' / ')})`;
  const { name, unit } = manifest.target;
  return unit ? `${name} (${unit})` : name;
}

/** A v2 request for the example row: its numeric values, and its categories when the model has any. */
function inferExampleOf(manifest: ModelManifest, example: Record<string, unknown>) {
  const { input, categoricalInput } = manifest.onnx;
  const { required, numericWidth, categoricalWidth } = inputTensors(manifest);
  const valuesOf = (categorical: boolean) =>
    manifest.features.filter((feature) => isCategorical(feature) === categorical).map((f) => example[f.name]);
  return {
    inputs: [
      ...(required.includes(input.name)
        ? [{ name: input.name, shape: [1, numericWidth], datatype: 'FP32', data: valuesOf(false) }]
        : []),
      ...(categoricalInput
        ? [
            {
              name: categoricalInput.name,
              shape: [1, categoricalWidth],
              datatype: 'BYTES',
              data: valuesOf(true),
            },
          ]
        : []),
    ],
  };
}

/**
 * The OpenAPI 3.1 document for the served model. Request bodies come from the very zod schemas that validate
 * requests (built from the manifest), responses from the response schemas of its task, which the tests check.
 */
export function buildOpenApiDocument(manifest: ModelManifest, schemas: ModelSchemas, serverVersion: string) {
  const example = exampleRow(manifest);
  const inferExample = inferExampleOf(manifest, example);
  const tensorsText = inferExample.inputs
    .map((tensor) => `"${tensor.name}" [rows, ${tensor.shape[1]}]`)
    .join(' and ');
  const responses = predictResponsesFor(manifest);
  const modelParameters = [pathParameter('name', `The model name: "${manifest.name}".`)];
  const versionParameters = [
    ...modelParameters,
    pathParameter('version', `The model version: "${manifest.version}".`),
  ];
  const log = logPaths(manifest);
  const page = pagePaths(manifest, example);
  const modelPaths = (suffix: string, operation: (parameters: unknown[]) => Record<string, unknown>) => ({
    [`/v2/models/{name}${suffix}`]: operation(modelParameters),
    [`/v2/models/{name}/versions/{version}${suffix}`]: operation(versionParameters),
  });

  return {
    openapi: '3.1.0',
    info: {
      title: 'Glyco inference API',
      version: serverVersion,
      description: `Serves ${manifest.name} ${manifest.version}, a ${manifest.task} model: ${targetText(manifest)} from ${manifest.features.length} features. With authentication on, each operation names the scopes it needs (admin holds them all); with it off, every operation is open.`,
    },
    paths: {
      '/predict': {
        post: secured(PREDICT, {
          summary:
            'Predict one row (a flat object of features, or {"features": [...]} in manifest order) or several ({"instances": [...]})',
          requestBody: {
            required: true,
            content: json({ oneOf: [ref('FeatureRow'), ref('Instances')] }, example),
          },
          responses: {
            '200': ok('Predictions', { oneOf: [ref('PredictResponse'), ref('BatchPredictResponse')] }),
            ...problems(400, 413, 415, 422),
          },
        }),
      },
      '/invocations': {
        post: secured(PREDICT, {
          summary:
            "MLflow's scoring protocol: one of dataframe_split, dataframe_records, instances, inputs (params.predict_fn: predict or predict_proba), or a CSV data frame",
          requestBody: {
            required: true,
            content: {
              ...json(
                {
                  type: 'object',
                  description: 'An MLflow scoring request: exactly one of the four layouts.',
                },
                { dataframe_split: { columns: Object.keys(example), data: [Object.values(example)] } },
              ),
              'text/csv': {
                schema: { type: 'string', description: 'A header line, then one row per line.' },
              },
            },
          },
          responses: {
            '200': ok('One prediction per row: class labels, probabilities or values', {
              type: 'object',
              properties: { predictions: { type: 'array' } },
              required: ['predictions'],
            }),
            ...problems(400, 413, 415),
          },
        }),
      },
      '/ping': {
        get: secured('public', {
          summary: 'Liveness, as MLflow answers it (a newline)',
          responses: { '200': { description: 'Serving' }, '503': { description: 'Shutting down' } },
        }),
      },
      '/version': {
        get: secured('public', {
          summary: 'The server version, as text',
          responses: {
            '200': { description: 'Version', content: { 'text/plain': { schema: { type: 'string' } } } },
          },
        }),
      },
      '/v2': {
        get: secured(PREDICT, {
          summary: 'Server metadata (Open Inference Protocol v2)',
          responses: { '200': ok('Metadata', {}) },
        }),
      },
      '/v2/health/live': {
        get: secured('public', { summary: 'Liveness (v2)', responses: { '200': ok('Live', {}) } }),
      },
      '/v2/health/ready': {
        get: secured('public', {
          summary: 'Readiness (v2)',
          responses: { '200': ok('Ready', {}), '503': ok('Shutting down', {}) },
        }),
      },
      ...modelPaths('', (parameters) => ({
        get: secured(PREDICT, {
          summary: 'Model metadata (v2)',
          parameters,
          responses: { '200': ok('Metadata', ref('ModelMetadata')), ...problems(404) },
        }),
      })),
      ...modelPaths('/ready', (parameters) => ({
        get: secured(PREDICT, {
          summary: 'Model readiness (v2)',
          parameters,
          responses: { '200': ok('Ready', {}), ...problems(404) },
        }),
      })),
      ...modelPaths('/infer', (parameters) => ({
        post: secured(PREDICT, {
          summary: `Inference on the ${tensorsText} tensor${inferExample.inputs.length > 1 ? 's' : ''} (v2)`,
          parameters,
          requestBody: { required: true, content: json(ref('InferenceRequest'), inferExample) },
          responses: { '200': ok('Outputs', ref('InferenceResponse')), ...problems(400, 404, 413, 415) },
        }),
      })),
      '/health': {
        get: secured('public', { summary: 'Liveness', responses: { '200': ok('Alive', {}) } }),
      },
      '/ready': {
        get: secured('public', {
          summary: 'Readiness: model loaded, prediction log state',
          responses: { '200': ok('Ready', ref('Ready')), '503': ok('Shutting down', ref('Ready')) },
        }),
      },
      '/metrics': {
        get: secured(['read-metrics'], {
          summary: 'Prometheus metrics',
          responses: {
            '200': {
              description: 'Text exposition format',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
          },
        }),
      },
      '/v1/models': {
        get: secured(MODEL_READERS, {
          summary: 'Manifests of the served models',
          responses: {
            '200': ok('Manifests', {
              type: 'object',
              properties: { models: { type: 'array', items: ref('ModelManifest') } },
            }),
          },
        }),
      },
      '/v1/models/{name}': {
        get: secured(MODEL_READERS, {
          summary: 'The manifest of one model',
          parameters: modelParameters,
          responses: { '200': ok('Manifest', ref('ModelManifest')), ...problems(404) },
        }),
      },
      ...log.paths,
      ...page.paths,
      '/openapi.json': {
        get: secured('public', { summary: 'This document', responses: { '200': ok('OpenAPI 3.1', {}) } }),
      },
      '/docs': {
        get: secured('public', {
          summary: 'Swagger UI over this document',
          responses: {
            '200': { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } },
          },
        }),
      },
    },
    components: {
      schemas: {
        ...components(
          {
            FeatureRow: schemas.request.row,
            Instances: schemas.request.instances,
            InferenceRequest: schemas.inference,
            ...log.inputs,
          },
          'input',
        ),
        ...components(
          {
            PredictResponse: responses.single,
            BatchPredictResponse: responses.batch,
            InferenceResponse: InferenceResponseSchema,
            ModelMetadata: ModelMetadataSchema,
            Ready: ReadySchema,
            Problem: ProblemSchema,
            ModelManifest: ModelManifestSchema,
            ...log.outputs,
            ...page.outputs,
          },
          'output',
        ),
      },
      securitySchemes: SECURITY_SCHEMES,
    },
  };
}
