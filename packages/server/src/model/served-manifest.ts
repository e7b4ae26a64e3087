import {
  type ModelManifest as AnyModelManifest,
  type BinaryModelManifest,
  isCategorical,
  type NumericFeatureSpec,
  type NumericReferenceDistribution,
} from '@glyco/contract';

/**
 * What this server serves: binary models on numeric features. The contract also describes multiclass and
 * regression models and categorical features; until the server learns them, `servedManifest` refuses them at
 * load, so the rest of the server can rely on these narrower types.
 */
export type ModelManifest = Omit<BinaryModelManifest, 'features' | 'reference'> & {
  features: FeatureSpec[];
  reference: ReferenceDistribution[];
};
export type FeatureSpec = NumericFeatureSpec;
export type ReferenceDistribution = NumericReferenceDistribution;
export type Metrics = BinaryModelManifest['metrics'];

/** The manifest as this server serves it, or an Error saying in one line why it cannot serve it. */
export function servedManifest(manifest: AnyModelManifest): ModelManifest {
  if (manifest.task !== 'binary') {
    throw new Error(
      `${manifest.name} ${manifest.version} is a ${manifest.task} model; only binary models can be served ` +
        `(and their drift measured) so far: serving ${manifest.task} models is not built yet`,
    );
  }
  const categorical = manifest.features.filter(isCategorical).map((feature) => feature.name);
  if (categorical.length > 0) {
    throw new Error(
      `${manifest.name} ${manifest.version} has categorical features (${categorical.join(', ')}); only models ` +
        'on numeric features can be served (and their drift measured) so far: categorical serving is not built yet',
    );
  }
  return manifest as ModelManifest;
}
