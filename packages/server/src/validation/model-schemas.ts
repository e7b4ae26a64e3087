import type { ModelManifest } from '@glyco/contract';
import { compileRowEncoder, type RowEncoder } from '../model/row-encoder.ts';
import { buildRequestSchemas, type RequestSchemas } from './feature-schemas.ts';
import { buildInferenceRequestSchema, type InferenceRequestSchema } from './inference-request-schema.ts';

/** Everything that validates requests for one model, and documents them. */
export interface ModelSchemas {
  request: RequestSchemas;
  inference: InferenceRequestSchema;
  encoder: RowEncoder;
  featureNames: readonly string[];
  /** The same names, to look keys up in. */
  isFeature: ReadonlySet<string>;
}

const cache = new WeakMap<ModelManifest, Map<number, ModelSchemas>>();

/** The schemas for a model, built once per loaded manifest and request limit (a swapped-in model gets its own). */
export function schemasFor(manifest: ModelManifest, maxInstances: number): ModelSchemas {
  let byLimit = cache.get(manifest);
  if (!byLimit) {
    byLimit = new Map();
    cache.set(manifest, byLimit);
  }
  let schemas = byLimit.get(maxInstances);
  if (!schemas) {
    schemas = {
      request: buildRequestSchemas(manifest.features, maxInstances),
      inference: buildInferenceRequestSchema(manifest, maxInstances),
      encoder: compileRowEncoder(manifest),
      featureNames: manifest.features.map((feature) => feature.name),
      isFeature: new Set(manifest.features.map((feature) => feature.name)),
    };
    byLimit.set(maxInstances, schemas);
  }
  return schemas;
}
