import { formatRegistryUri, type ModelManifest, parseModelUri, type TrustedKeys } from '@glyco/contract';
import type { AliasMoved, FetchedModel, RunEntry } from '@glyco/registry';

/** One model in a registry, as `MODEL_URI` names it: by an alias that moves, or by a fixed version. */
export interface RegistryModel {
  name: string;
  /** The alias `MODEL_URI` names, if it names one (`…/<name>@<alias>`). */
  alias: string | undefined;
  /**
   * Downloads (S3, into the cache) and verifies the version `uri` names, by default the one `MODEL_URI` names:
   * its sha256, and its signature when keys are trusted.
   */
  fetch(uri?: string): Promise<FetchedModel>;
  /** Polls the alias until `signal` aborts; see `watchAlias` in @glyco/registry. */
  watch(options: AliasWatch): Promise<void>;
  /**
   * What would break the API's clients if `next` replaced `current`: the registry's check, the one `promote`
   * applies (the requests it accepts, the task and the terms its answers use). Empty when nothing.
   */
  apiBreaks(current: ModelManifest, next: ModelManifest): string[];
  /** The model's newest training and retraining runs recorded in the registry, newest first. */
  recentRuns(limit: number): Promise<RunEntry[]>;
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
export async function openRegistryModel(
  uri: string,
  cacheDir: string,
  trusted?: TrustedKeys,
): Promise<RegistryModel> {
  const registry = await import('@glyco/registry');
  const ref = parseModelUri(uri);
  // One client for the whole life of the server: every poll and download reuses its connections.
  const s3Client = ref.registry.kind === 's3' ? registry.createS3Client() : undefined;
  const options = s3Client ? { s3Client } : {};
  return {
    name: ref.name,
    alias: ref.kind === 'alias' ? ref.alias : undefined,
    fetch: (versionUri = uri) => registry.fetchModel(versionUri, cacheDir, { ...options, trusted }),
    watch: (watch) => registry.watchAlias(uri, { ...options, ...watch }),
    apiBreaks: registry.apiBreaks,
    recentRuns: (limit) =>
      registry.listRuns(registry.openRegistry(formatRegistryUri(ref.registry), options), ref.name, limit),
    close: () => s3Client?.destroy(),
  };
}
