import {
  type BinaryNumericManifest as ModelManifest,
  parseModelUri,
  requireBinaryNumeric as servedManifest,
} from '@glyco/contract';
import type { AliasMoved, FetchedModel } from '@glyco/registry';

/** A version fetched from a registry, whose manifest this server can serve. */
export type FetchedServableModel = FetchedModel & { manifest: ModelManifest };

/** One model in a registry, as `MODEL_URI` names it: by an alias that moves, or by a fixed version. */
export interface RegistryModel {
  name: string;
  /** The alias `MODEL_URI` names, if it names one (`…/<name>@<alias>`). */
  alias: string | undefined;
  /**
   * Downloads (S3, into the cache) and verifies the version `uri` names, by default the one `MODEL_URI` names;
   * rejects a model this server cannot serve.
   */
  fetch(uri?: string): Promise<FetchedServableModel>;
  /** Polls the alias until `signal` aborts; see `watchAlias` in @glyco/registry. */
  watch(options: AliasWatch): Promise<void>;
  /**
   * What would break the API's clients if `next` replaced `current`: the registry's check of the requests it
   * accepts (feature names, dtypes, nullability), and the class labels its responses name. Empty when nothing.
   */
  apiBreaks(current: ModelManifest, next: ModelManifest): string[];
  /** Frees the S3 client's connections. */
  close(): void;
}

export interface AliasWatch {
  intervalMs: number;
  currentVersion: string;
  onChange(move: AliasMoved): Promise<void>;
  onError(error: Error): void;
  signal: AbortSignal;
}

/**
 * Opens the registry a model URI points into. @glyco/registry is imported here, on first use, because it loads
 * the AWS SDK (about 90 ms of module loading) that a server of a local model directory never needs. Throws the
 * registry's RegistryError for a URI it cannot parse or S3 settings it refuses.
 */
export async function openRegistryModel(uri: string, cacheDir: string): Promise<RegistryModel> {
  const registry = await import('@glyco/registry');
  const ref = parseModelUri(uri);
  // One client for the whole life of the server: every poll and download reuses its connections.
  const s3Client = ref.registry.kind === 's3' ? registry.createS3Client() : undefined;
  const options = s3Client ? { s3Client } : {};
  return {
    name: ref.name,
    alias: ref.kind === 'alias' ? ref.alias : undefined,
    fetch: async (versionUri = uri) => {
      const fetched = await registry.fetchModel(versionUri, cacheDir, options);
      return { ...fetched, manifest: servedManifest(fetched.manifest) };
    },
    watch: (watch) => registry.watchAlias(uri, { ...options, ...watch }),
    apiBreaks: (current, next) => [...registry.apiBreaks(current, next), ...labelChanges(current, next)],
    close: () => s3Client?.destroy(),
  };
}

/** Responses name the predicted class by its label: other labels would change what clients receive. */
function labelChanges(current: ModelManifest, next: ModelManifest): string[] {
  const [was, is] = [current.target.classLabels, next.target.classLabels];
  return was.every((label, i) => label === is[i])
    ? []
    : [`class labels changed from ${JSON.stringify(was)} to ${JSON.stringify(is)}`];
}
