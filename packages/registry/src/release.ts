import { hostname, userInfo } from 'node:os';
import type { ModelManifest } from '@glyco/contract';
import { type AliasRecord, applyMove, readAlias, requireAlias, writeAlias } from './alias.ts';
import { apiBreaks } from './compatibility.ts';
import { RegistryError } from './errors.ts';
import { checkAlias } from './layout.ts';
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
  /** Promote even when a gate refuses (below --min-auc, below the current version, breaks the API). */
  force?: boolean;
};

/**
 * Points an alias at a published version, after verifying its hash, unless a gate refuses: its CV ROC AUC is
 * below `minAuc` or below the version the alias serves now, or its features would break the API's clients.
 */
export async function promote(store: ObjectStore, options: PromoteOptions): Promise<AliasChange> {
  const { name, version } = options;
  const alias = checkAlias(options.alias);
  const { manifest } = await readVerifiedVersion(store, name, version);
  const current = await readAlias(store, name, alias);
  if (current?.record.version === version)
    throw new RegistryError(`${name}@${alias} already points to ${version}`);
  const currentManifest = current && (await readManifest(store, name, current.record.version));

  const refusals = gateRefusals(manifest, options.minAuc, currentManifest, alias);
  if (refusals.length > 0 && !options.force) {
    throw new RegistryError(
      `refusing to promote ${name} ${version} to ${alias}: ${refusals.join('; ')} (--force with a --reason overrides)`,
    );
  }
  if (refusals.length > 0 && !options.reason) {
    throw new RegistryError(`forcing ${name} ${version} past "${refusals.join('; ')}" needs a reason`);
  }
  const auc = cvAuc(manifest).toFixed(4);
  const reason =
    options.reason ??
    (currentManifest ? `CV ROC AUC ${auc}, was ${cvAuc(currentManifest).toFixed(4)}` : `CV ROC AUC ${auc}`);
  const forced = refusals.length > 0 ? { forced: true } : {};
  return move(store, name, alias, current, {
    ...audit(options, reason),
    action: 'promote',
    version,
    ...forced,
  });
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
  const reason = options.reason ?? `rolled back from ${current.record.version}`;
  return move(store, name, alias, current, {
    ...audit(options, reason),
    action: 'rollback',
    version: target,
  });
}

async function move(
  store: ObjectStore,
  name: string,
  alias: string,
  current: { record: AliasRecord; etag: string } | undefined,
  change: Parameters<typeof applyMove>[3],
): Promise<AliasChange> {
  const from = current?.record.version;
  const record = applyMove(current?.record, name, alias, { ...change, ...(from ? { from } : {}) });
  await writeAlias(store, record, current?.etag);
  return { name, alias, ...(from ? { from } : {}), to: record.version, record };
}

function gateRefusals(
  candidate: ModelManifest,
  minAuc: number | undefined,
  current: ModelManifest | undefined,
  alias: string,
): string[] {
  const auc = cvAuc(candidate);
  const refusals: string[] = [];
  if (minAuc !== undefined && auc < minAuc) {
    refusals.push(`CV ROC AUC ${auc.toFixed(4)} is below the gate ${minAuc}`);
  }
  if (current && auc < cvAuc(current)) {
    refusals.push(
      `CV ROC AUC ${auc.toFixed(4)} is below ${alias}'s ${current.version} (${cvAuc(current).toFixed(4)})`,
    );
  }
  if (current) {
    const breaks = apiBreaks(current, candidate);
    if (breaks.length > 0) refusals.push(`would break clients of ${current.version}: ${breaks.join(', ')}`);
  }
  return refusals;
}

function cvAuc(manifest: ModelManifest): number {
  return manifest.metrics.crossValidation.rocAuc.mean;
}

function audit(options: Audit, reason: string): { at: string; by: string; reason: string } {
  return { at: (options.now ?? new Date()).toISOString(), by: options.actor ?? currentActor(), reason };
}

function currentActor(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GITHUB_ACTOR) return `github:${env.GITHUB_ACTOR}`;
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return `unknown@${hostname()}`;
  }
}
