import { hostname, userInfo } from 'node:os';
import {
  checkAlias,
  isWorse,
  type MetricDirection,
  type ModelManifest,
  primaryMetric,
} from '@glyco/contract';
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
  /** The candidate judged against the version the alias serves on the same rows (a retrain's evaluation). */
  evidence?: PromotionEvidence;
  /** Promote even when a gate refuses (below minAuc, below the current version, breaks the API). */
  force?: boolean;
};

/**
 * The candidate and the version the alias serves, scored on the same rows that neither was trained on (a
 * retrain's most recent labelled rows), with the paired bootstrap interval of the difference.
 */
export interface PromotionEvidence {
  /** The version the candidate was judged against: the alias must still serve it. */
  against: string;
  /** The task's primary metric (`rocAuc`, `rmse`), as `PRIMARY_METRICS` names it. */
  metric: string;
  rows: number;
  /** The candidate's score minus the other's, signed so that positive is better, and its interval. */
  improvement: { value: number; low: number; high: number };
  /**
   * How much worse than the served version's the candidate's mean CV primary metric may be, as a share of the
   * served version's (0.1: 10%): a floor that catches a training gone wrong, not a comparison of two models
   * cross-validated on different data. Default `DEFAULT_CV_TOLERANCE`.
   */
  cvTolerance?: number;
}

/** The share of the served version's CV primary metric that a candidate with evidence may fall short by. */
export const DEFAULT_CV_TOLERANCE = 0.1;

/**
 * Points an alias at a published version, after verifying its hash, unless a gate refuses: its mean CV primary
 * metric (ROC AUC, macro ROC AUC or RMSE, by task) is below `minAuc` (ROC AUC only) or worse than the version
 * the alias serves now, it is of another task, or its features would break the API's clients.
 *
 * With `evidence`, the candidate is compared with the served version on the evidence instead: it must have been
 * judged against the version the alias serves now, on the task's primary metric, and be better beyond its
 * interval; its CV primary metric must then only stay within `cvTolerance` of the served version's. The two CV
 * means are not compared head to head there, because a retrained candidate is cross-validated on other data
 * (the base rows plus newer, often harder, logged rows) than the served version was.
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

  const refusals = gateRefusals(manifest, options, currentManifest, alias);
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
  { minAuc, evidence }: Pick<PromoteOptions, 'minAuc' | 'evidence'>,
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
  } else if (current && evidence) {
    refusals.push(...evidenceRefusals(candidate, current, evidence, alias));
  } else if (
    current &&
    isWorse(primary.crossValidated.mean, primaryMetric(current).crossValidated.mean, primary.direction)
  ) {
    refusals.push(
      `CV ${primary.label} ${score(candidate)} is ${worseWord(primary.direction)} ${alias}'s ${current.version} (${score(current)})`,
    );
  }
  // A change of task is refused above, in its own words; apiBreaks would only say it again.
  if (current && current.task === candidate.task) {
    const breaks = apiBreaks(current, candidate);
    if (breaks.length > 0) refusals.push(`would break clients of ${current.version}: ${breaks.join(', ')}`);
  }
  return refusals;
}

/** Why the evidence does not carry the candidate past the version the alias serves; none when it does. */
function evidenceRefusals(
  candidate: ModelManifest,
  current: ModelManifest,
  evidence: PromotionEvidence,
  alias: string,
): string[] {
  const primary = primaryMetric(candidate);
  const { improvement, rows } = evidence;
  const f = (x: number) => x.toFixed(4);
  if (evidence.against !== current.version) {
    return [`its evidence judges it against ${evidence.against}, but ${alias} serves ${current.version} now`];
  }
  if (evidence.metric !== primary.metric) {
    return [
      `its evidence compares ${evidence.metric}, but a ${candidate.task} model is judged on ${primary.label}`,
    ];
  }
  const refusals: string[] = [];
  if (!(improvement.low > 0)) {
    refusals.push(
      `on ${rows} evaluation rows its ${primary.label} improvement over ${current.version} is ${f(improvement.value)} [${f(improvement.low)}, ${f(improvement.high)}], which reaches 0`,
    );
  }
  const tolerance = evidence.cvTolerance ?? DEFAULT_CV_TOLERANCE;
  const served = primaryMetric(current).crossValidated.mean;
  const floor = served * (primary.direction === 'higher' ? 1 - tolerance : 1 + tolerance);
  if (isWorse(primary.crossValidated.mean, floor, primary.direction)) {
    refusals.push(
      `CV ${primary.label} ${score(candidate)} is ${worseWord(primary.direction)} ${f(floor)}, ${Math.round(tolerance * 100)}% short of ${alias}'s ${current.version} (${score(current)})`,
    );
  }
  return refusals;
}

function worseWord(direction: MetricDirection): string {
  return direction === 'higher' ? 'below' : 'above';
}

/** The mean CV primary metric to four decimals: enough to tell apart two models that a gate compares. */
function score(manifest: ModelManifest): string {
  return primaryMetric(manifest).crossValidated.mean.toFixed(4);
}

/** Who is acting: the GitHub actor in GitHub Actions, else `user@host`. */
export function currentActor(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GITHUB_ACTOR) return `github:${env.GITHUB_ACTOR}`;
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return `unknown@${hostname()}`;
  }
}
