import { formatModelUri, type ModelManifest, parseRegistryUri, type TrainingOptions } from '@glyco/contract';
import { type FetchOptions, fetchModel } from '@glyco/registry';

/** The version an alias serves, as a retrain challenges it. */
export interface Champion {
  alias: string;
  version: string;
  manifest: ModelManifest;
  /** A local directory with its verified `model.onnx` and `manifest.json`. */
  dir: string;
  /** How it was trained: recorded in its manifest, or, for a schema-version-1 manifest, what can be read from it. */
  options: TrainingOptions;
  /** For a schema-version-1 manifest: what the retrain assumes, in words. */
  assumed?: string;
}

export async function readChampion(
  registry: string,
  name: string,
  alias: string,
  cacheDir: string,
  storeOptions: FetchOptions,
): Promise<Champion> {
  const uri = formatModelUri({ registry: parseRegistryUri(registry), name, kind: 'alias', alias });
  const fetched = await fetchModel(uri, cacheDir, storeOptions);
  const { manifest } = fetched;
  const recorded = manifest.trainingOptions;
  const champion = { alias, version: fetched.version, manifest, dir: fetched.dir };
  if (recorded) return { ...champion, options: recorded };
  const options = firstTrainerOptions(manifest);
  return {
    ...champion,
    options,
    assumed:
      `${name} ${fetched.version} predates recorded training options (manifest schema version 1): assuming what ` +
      `its manifest says, algorithm ${options.algorithm}, ${options.folds} folds, seed ${options.seed}, positive ` +
      `class "${options.positive}", no class weights, and its features' metadata`,
  };
}

/**
 * The options of a model the first trainer made: a binary model on numeric features, whose manifest names its
 * algorithm, folds, seed, classes and every feature's metadata; that trainer had no class weights. (The current
 * trainer with these options gives pima-diabetes 1.0.0 byte for byte: see the trainer's tests.)
 */
function firstTrainerOptions(manifest: ModelManifest): TrainingOptions {
  if (manifest.task !== 'binary') throw new Error(`a ${manifest.task} manifest always records its options`);
  const features = Object.fromEntries(manifest.features.map(({ name, ...spec }) => [name, spec]));
  const { folds, seed } = manifest.metrics.crossValidation;
  return {
    data: { file: manifest.trainingData.file, sha256: manifest.trainingData.sha256 },
    task: 'binary',
    taskInferred: false,
    target: manifest.target.name,
    positive: manifest.target.classLabels[1],
    algorithm: manifest.algorithm.name,
    folds,
    seed,
    classWeight: 'none',
    schema: { features },
    inferredFeatures: [],
  };
}
