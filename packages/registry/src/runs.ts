import { randomBytes } from 'node:crypto';
import { checkName, ModelNameSchema, RUNS_DIR } from '@glyco/contract';
import { z } from 'zod';
import { RegistryError, WriteConflictError } from './errors.ts';
import type { ObjectStore } from './store.ts';

/**
 * What a run ended in. `trained`: `glyco train` made a version. A retrain: `promoted` (the alias moved to the
 * challenger), `would-promote` (a dry run whose challenger would have been), `not-promoted` (the champion stays:
 * the challenger lost, or a gate refused it), `skipped` (nothing to judge yet, or another retrain runs), `failed`.
 */
export const RUN_DECISIONS = [
  'trained',
  'promoted',
  'would-promote',
  'not-promoted',
  'skipped',
  'failed',
] as const;
export type RunDecision = (typeof RUN_DECISIONS)[number];

const number = z.number();
const interval = z.object({ value: number, low: number, high: number });

const MetricSchema = { metric: z.string(), label: z.string(), direction: z.enum(['higher', 'lower']) };

/**
 * `<name>/runs/<id>.json` (a contract): one `glyco train`, `glyco retrain` or `glyco job` (a drift check that may
 * start a retrain, recorded as a run of its own), written once when it ends. Its parameters are flat (name →
 * value) so that two runs compare key by key.
 */
export const RunRecordSchema = z.object({
  schemaVersion: z.literal(1),
  id: z.string().min(1),
  kind: z.enum(['train', 'retrain', 'job']),
  model: ModelNameSchema,
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  durationMs: z.number().nonnegative(),
  decision: z.enum(RUN_DECISIONS),
  /** Why, in a sentence a person reads: the metrics compared, the gate that refused, the rows that were missing. */
  reason: z.string(),
  parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  /** The data, by role: `training` (the file the model was fitted on), `base`, `logged`, `evaluation`. */
  data: z.array(
    z.object({
      role: z.enum(['training', 'base', 'logged', 'evaluation']),
      file: z.string().optional(),
      sha256: z.string().optional(),
      rows: z.number().int().nonnegative(),
    }),
  ),
  /** The version trained (train), or the challenger (retrain) and whether it was published to the registry. */
  version: z.object({ version: z.string(), published: z.boolean() }).optional(),
  /** A retrain's champion, or the version a job checked: the version its alias served when it began. */
  champion: z.object({ version: z.string(), alias: z.string() }).optional(),
  metrics: z.object({
    /** The trained model's cross-validated primary metric, per fold. */
    crossValidation: z
      .object({ ...MetricSchema, mean: number, sd: number, perFold: z.array(number) })
      .optional(),
    /**
     * A retrain's evaluation: champion and challenger scored on the same most recent labelled rows, each with a
     * bootstrap confidence interval, and the paired bootstrap interval of their difference (challenger − champion,
     * signed so that positive is better).
     */
    evaluation: z
      .object({
        ...MetricSchema,
        rows: z.number().int().nonnegative(),
        confidence: number,
        resamples: z.number().int().positive(),
        minImprovement: number,
        champion: interval,
        challenger: interval,
        improvement: interval,
      })
      .optional(),
  }),
  /** A job's retrain: the id of the run it started, recorded beside this one. */
  retrainRun: z.string().optional(),
  /** A retrain's or a job's drift report of the champion over the window it looked at, when it made one. */
  drift: z
    .object({ window: z.string(), rows: z.number().int().nonnegative(), drifted: z.array(z.string()) })
    .optional(),
  /** Milliseconds per step (reading the log, training, evaluating, publishing, …). */
  durations: z.record(z.string(), z.number().nonnegative()),
  /** Who: `github:<actor>`, else `user@host`. */
  by: z.string(),
  /** Where: the machine, and the CI run or the ECS task when there was one; what started it. */
  where: z.object({
    host: z.string(),
    trigger: z.string(),
    githubRunUrl: z.string().optional(),
    ecsTaskArn: z.string().optional(),
  }),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

/** `20261205T061502123Z-4f9c2a`: the start time to the millisecond, then randomness; sorts by time as text. */
export function newRunId(now = new Date()): string {
  const time = now.toISOString().replace(/[-:]/g, '').replace('.', '');
  return `${time}-${randomBytes(3).toString('hex')}`;
}

const RUN_ID = /^\d{8}T\d{9}Z-[0-9a-f]{6}$/;

export function runKey(name: string, id: string): string {
  if (!RUN_ID.test(id))
    throw new RegistryError(`invalid run id "${id}": expected e.g. 20261205T061502123Z-4f9c2a`);
  return `${checkName(name)}/${RUNS_DIR}/${id}.json`;
}

/** Writes a run record once: run ids are unique, so an existing one is a bug, never overwritten. */
export async function writeRun(store: ObjectStore, record: RunRecord): Promise<string> {
  const key = runKey(record.model, record.id);
  const body = new TextEncoder().encode(`${JSON.stringify(RunRecordSchema.parse(record), null, 2)}\n`);
  const refusal = `run ${record.id} is already recorded`;
  // Create-only; checked first as well, for S3-compatible servers that ignore If-None-Match.
  if (await store.exists(key)) throw new RegistryError(refusal);
  try {
    await store.write(key, body, { contentType: 'application/json', condition: { ifNoneMatch: '*' } });
  } catch (error) {
    if (error instanceof WriteConflictError) throw new RegistryError(refusal);
    throw error;
  }
  return `${store.uri}/${key}`;
}

/**
 * `1.2.0 ← 1.1.0`: the version a run made (in parentheses when a retrain did not publish it) and the champion it
 * met; `none` stands for a version it did not make.
 */
export function runVersionLabel(record: RunRecord, none = '-'): string {
  const made = record.version
    ? record.version.published || record.kind === 'train'
      ? record.version.version
      : `(${record.version.version})`
    : none;
  return record.champion ? `${made} ← ${record.champion.version}` : made;
}

export type RunEntry = { id: string; record?: RunRecord; problem?: string };

/** A model's runs, newest first (the `limit` newest when given); an unreadable record is reported, not fatal. */
export async function listRuns(store: ObjectStore, name: string, limit?: number): Promise<RunEntry[]> {
  const ids = (await store.listKeys(`${checkName(name)}/${RUNS_DIR}`))
    .filter((key) => key.endsWith('.json') && !key.includes('/'))
    .map((key) => key.slice(0, -'.json'.length))
    .filter((id) => RUN_ID.test(id))
    .sort()
    .reverse()
    .slice(0, limit);
  return Promise.all(ids.map((id) => readRun(store, name, id)));
}

export async function readRun(store: ObjectStore, name: string, id: string): Promise<RunEntry> {
  const key = runKey(name, id);
  const object = await store.read(key);
  if (!object) return { id, problem: 'not in the registry' };
  try {
    return { id, record: RunRecordSchema.parse(JSON.parse(new TextDecoder().decode(object.body))) };
  } catch (error) {
    const detail = error instanceof z.ZodError ? z.prettifyError(error).replaceAll('\n', ' ') : String(error);
    return { id, problem: `not a valid run record (${detail})` };
  }
}
