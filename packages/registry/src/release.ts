import { hostname, userInfo } from 'node:os';
import { checkAlias, isWorse, type ModelManifest, primaryMetric } from '@glyco/contract';
import { type AliasMove, type AliasRecord, applyMove, readAlias, requireAlias, writeAlias } from './alias.ts';
import { apiBreaks } from './compatibility.ts';
import { RegistryError } from './errors.ts';
import type { ObjectStore } from './store.ts';
import { readManifest, readVerifiedVersion } from './versions.ts';

export type AliasChange = { name: string; alias: string; from?: string; to: string; record: AliasRecord };

type Audit = {
  /** Why: kept in the alias history. Required when a promotion is forced past a gate. */
  reason?: string;
  /** Who: defaults to the GitHub actor in CI, else user@host. */
  actor?: string;
  now?: Date;
};

export type PromoteOptions = Audit & {
  name: string;
  version: string;
  alias: string;
  /** Refuse a model whose mean cross-validated ROC AUC is below this. */
  minAuc?: number;
  /** Promote even when a gate refuses (below minAuc, below the current version, breaks the API). */
  force?: boolean;
};

/**
 * Points an alias at a published version, after verifying its hash, unless a gate refuses: its mean CV primary
 * metric (ROC AUC, macro ROC AUC or RMSE, by task) is below `minAuc` (ROC AUC only) or worse than the version
 * the alias serves now, it is of another task, or its features would break the API's clients.
 */
export async function promote(store: ObjectStore, options: PromoteOptions): Promise<AliasChange> {
  const { name, version } = options;
  const alias = checkAlias(options.alias);
  const { manifest } = await readVerifiedVersion(store, name, version);
  const current = await readAlias(store, name, alias);
  if (current?.record.version === version) {
    throw new RegistryError(`${name}@${alias} already points to ${version}`);
  }
  const currentManifest = current && (await readManifest(store, name, current.record.version));

  const refusals = gateRefusals(manifest, options.minAuc, currentManifest, alias);
  const forced = refusals.length > 0;
  if (forced && !options.force) {
    throw new RegistryError(
      `refusing to promote ${name} ${version} to ${alias}: ${refusals.join('; ')} (--force with a --reason overrides)`,
    );
  }
  if (forced && !options.reason) {
    throw new RegistryError(`forcing ${name} ${version} past "${refusals.join('; ')}" needs a reason`);
  }
  const metrics = `CV ${primaryMetric(manifest).label} ${score(manifest)}${currentManifest ? `, was ${score(currentManifest)}` : ''}`;
  return move(store, { name, alias, current, action: 'promote', version, forced }, options, metrics);
}

export type RollbackOptions = Audit & { name: string; alias: string };

/** Moves an alias back to the version it served before its latest promotion (verified before the move). */
export async function rollback(store: ObjectStore, options: RollbackOptions): Promise<AliasChange> {
  const { name } = options;
  const alias = checkAlias(options.alias);
  const current = await requireAlias(store, name, alias);
  const target = current.record.previous;
  if (!target) {
    throw new RegistryError(
      `${name}@${alias} has nothing to roll back to: ${current.record.version} is its first release`,
    );
  }
  await readVerifiedVersion(store, name, target);
  const defaultReason = `rolled back from ${current.record.version}`;
  return move(store, { name, alias, current, action: 'rollback', version: target }, options, defaultReason);
}

type Move = {
  name: string;
  alias: string;
  current: { record: AliasRecord; etag: string } | undefined;
  action: AliasMove['action'];
  version: string;
  forced?: boolean;
};

async function move(
  store: ObjectStore,
  change: Move,
  audit: Audit,
  defaultReason: string,
): Promise<AliasChange> {
  const { name, alias, current, action, version } = change;
  const from = current?.record.version;
  const record = applyMove(current?.record, name, alias, {
    action,
    version,
    ...(from && { from }),
    at: (audit.now ?? new Date()).toISOString(),
    by: audit.actor ?? currentActor(),
    reason: audit.reason || defaultReason,
    ...(change.forced && { forced: true }),
  });
  await writeAlias(store, record, current?.etag);
  return { name, alias, ...(from && { from }), to: record.version, record };
}

function gateRefusals(
  candidate: ModelManifest,
  minAuc: number | undefined,
  current: ModelManifest | undefined,
  alias: string,
): string[] {
  const refusals: string[] = [];
  const primary = primaryMetric(candidate);
  if (minAuc !== undefined && primary.metric !== 'rocAuc') {
    refusals.push(`--min-auc gates ROC AUC, but a ${candidate.task} model is compared on ${primary.label}`);
  } else if (minAuc !== undefined && primary.crossValidated.mean < minAuc) {
    refusals.push(`CV ${primary.label} ${score(candidate)} is below the gate ${minAuc}`);
  }
  if (current && current.task !== candidate.task) {
    refusals.push(
      `it is a ${candidate.task} model, and ${alias}'s ${current.version} is a ${current.task} model`,
    );
  } else if (
    current &&
    isWorse(primary.crossValidated.mean, primaryMetric(current).crossValidated.mean, primary.direction)
  ) {
    const worse = primary.direction === 'higher' ? 'below' : 'above';
    refusals.push(
      `CV ${primary.label} ${score(candidate)} is ${worse} ${alias}'s ${current.version} (${score(current)})`,
    );
  }
  // A change of task is refused above, in its own words; apiBreaks would only say it again.
  if (current && current.task === candidate.task) {
    const breaks = apiBreaks(current, candidate);
    if (breaks.length > 0) refusals.push(`would break clients of ${current.version}: ${breaks.join(', ')}`);
  }
  return refusals;
}

/** The mean CV primary metric to four decimals: enough to tell apart two models that a gate compares. */
function score(manifest: ModelManifest): string {
  return primaryMetric(manifest).crossValidated.mean.toFixed(4);
}

function currentActor(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GITHUB_ACTOR) return `github:${env.GITHUB_ACTOR}`;
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return `unknown@${hostname()}`;
  }
}
