import { isCategorical, type NumericFeatureSpec, type NumericReferenceDistribution } from './feature.ts';
import type { BinaryModelManifest, ModelManifest } from './manifest.ts';

/**
 * What the server serves and the prediction log measures drift for, so far: binary models on numeric features.
 * The contract also describes multiclass and regression models and categorical features; until serving learns
 * them, `requireBinaryNumeric` refuses them (at load, when an alias moves to one, and in `glyco drift`), so the
 * code behind it can rely on these narrower types.
 */
export type BinaryNumericManifest = Omit<BinaryModelManifest, 'features' | 'reference'> & {
  features: NumericFeatureSpec[];
  reference: NumericReferenceDistribution[];
};

/** The manifest narrowed to a binary model on numeric features, or an Error saying in one line why it is not. */
export function requireBinaryNumeric(manifest: ModelManifest): BinaryNumericManifest {
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
  return manifest as BinaryNumericManifest;
}
