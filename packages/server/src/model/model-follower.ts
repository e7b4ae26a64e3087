import type { Logger } from '@glyco/logger';
import type { AliasMoved, FetchedModel } from '@glyco/registry';
import type { AliasStatus, ModelHolder } from './model-holder.ts';
import type { RegistryModel } from './model-registry.ts';
import type { ServingModel } from './serving-model.ts';

export type SwapOutcome = 'applied' | 'refused';

/** What the follower records (see AppMetrics). */
export interface FollowerMetrics {
  modelSwap(outcome: SwapOutcome): void;
  registryError(): void;
  followedAlias(model: string, alias: string, version: string): void;
}

export interface FollowOptions {
  /** The alias to follow, as resolveModel opened it; closed when the follower stops. */
  model: RegistryModel & { alias: string };
  holder: ModelHolder;
  /** Loads, verifies and warms up the model in a directory (openServingModel). */
  open(directory: string): Promise<ServingModel>;
  intervalMs: number;
  logger: Logger;
  metrics: FollowerMetrics;
}

export interface ModelFollower {
  /** Stops polling. A version still loading is released, never swapped in. Resolves once nothing runs. */
  stop(): Promise<void>;
}

/**
 * The registry wraps failures to reach a store (network, S3 errors, file system) with their cause; what it finds
 * wrong with a version itself (hash mismatch, invalid manifest, missing file) it reports without one.
 */
function isUnreachable(error: unknown): boolean {
  return error instanceof Error && error.cause !== undefined;
}

/**
 * Follows a registry alias: when it moves, the new version is downloaded, verified, checked to keep the API and
 * warmed up in the background while the served one keeps answering, then swapped in (requests in flight finish
 * on the old one). A version that fails any step is refused once, for good (versions are immutable), and the
 * served one stays; a download that fails to reach the registry is tried again at the next poll.
 */
export function followAlias(options: FollowOptions): ModelFollower {
  const { model, holder, logger, metrics } = options;
  const alias = `${model.name}@${model.alias}`;
  const refused = new Set<string>();
  const stopping = new AbortController();

  function report(version: string, state: AliasStatus['state']): void {
    holder.reportAlias({ name: model.alias, version, state });
    metrics.followedAlias(model.name, model.alias, version);
  }

  function refuse(version: string, served: string, reason: string): void {
    refused.add(version);
    metrics.modelSwap('refused');
    report(version, 'refused');
    logger.error('refused the version the model alias points to; the served version stays', {
      alias,
      version,
      serving: served,
      reason,
    });
  }

  async function onMove(move: AliasMoved): Promise<void> {
    const served = holder.current().manifest.version;
    if (move.version === served) return report(served, 'serving');
    if (refused.has(move.version)) {
      logger.warn('the model alias points to a version refused before', { alias, version: move.version });
      return report(move.version, 'refused');
    }
    logger.info('model alias moved: loading the new version', { alias, from: served, to: move.version });
    report(move.version, 'loading');
    const started = performance.now();

    let fetched: FetchedModel;
    try {
      fetched = await model.fetch(move.uri);
    } catch (error) {
      if (!isUnreachable(error)) return refuse(move.version, served, (error as Error).message);
      report(move.version, 'retrying');
      throw error; // watchAlias reports it to onError and offers the move again at the next poll
    }
    const breaks = model.apiBreaks(holder.current().manifest, fetched.manifest);
    if (breaks.length > 0)
      return refuse(move.version, served, `it would break the API: ${breaks.join(', ')}`);
    if (stopping.signal.aborted) return;

    let next: ServingModel;
    try {
      next = await options.open(fetched.dir);
    } catch (error) {
      return refuse(move.version, served, (error as Error).message);
    }
    if (stopping.signal.aborted) return next.retire();

    const retired = holder.swap(next);
    metrics.modelSwap('applied');
    report(move.version, 'serving');
    logger.info('model swapped', {
      alias,
      from: served,
      to: move.version,
      sha256: next.manifest.onnx.sha256,
      load_ms: Math.round(performance.now() - started),
    });
    await retired;
  }

  function onError(error: Error): void {
    metrics.registryError();
    logger.warn('model registry unreachable or invalid; trying again at the next poll', {
      alias,
      error: error.message,
    });
  }

  const served = holder.current().manifest.version;
  report(served, 'serving');
  logger.info('following model alias', { alias, version: served, poll_interval_ms: options.intervalMs });
  const watching = model
    .watch({
      intervalMs: options.intervalMs,
      currentVersion: served,
      onChange: onMove,
      onError,
      signal: stopping.signal,
    })
    .catch((error: Error) =>
      logger.error('stopped following the model alias', { alias, error: error.message }),
    );

  return {
    async stop() {
      stopping.abort();
      await watching;
      model.close();
    },
  };
}
