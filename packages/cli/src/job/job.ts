import { DEFAULT_DRIFT_ROWS, type DriftReport } from '@glyco/prediction-log';
import {
  newRunId,
  openRegistry,
  type RunRecord,
  readManifest,
  requireAlias,
  writeRun,
} from '@glyco/registry';
import { DRIFT_EXIT_CODE, driftFromLog } from '../commands/drift.ts';
import { EXIT_CODES, retrainWithArgs } from '../commands/retrain.ts';
import { runProvenance } from '../run-provenance.ts';

/** When the job retrains: never (a drift check only), when a feature drifted, or every time. */
export const RETRAIN_POLICIES = ['never', 'on-drift', 'always'] as const;
export type RetrainPolicy = (typeof RETRAIN_POLICIES)[number];

export interface JobSettings {
  registry: string;
  name: string;
  alias: string;
  retrain: RetrainPolicy;
  /** The drift window: how it was written (`7d`), and its start. */
  since: { text: string; date: Date };
  /** Exit with the drift exit code when a feature drifted and no retrain ran. */
  failOnDrift: boolean;
  /** More `glyco retrain` options, passed as given (`--dry-run`, `--min-rows 100`, …). */
  retrainArgs: string[];
  /** One human line of progress. */
  report: (line: string) => void;
}

/** What a scheduler reads: the last line the job prints with --json. */
export interface JobResult {
  /** The drift report of the alias's version, as `glyco drift --json` prints it; null when it could not be made. */
  drift: DriftReport | null;
  /** The retrain's run as `glyco retrain --json` prints it, when one ran. */
  retrain: { uri: string; run: RunRecord } | null;
  exitCode: number;
  /** The job's own run record in the registry; null when it could not be written. */
  run: { id: string; uri: string } | null;
  /** Why the job failed, when it did. */
  error?: string;
}

type Ending = Pick<RunRecord, 'decision' | 'reason'> & {
  exitCode: number;
  drift: DriftReport | null;
  retrain: JobResult['retrain'];
  champion?: RunRecord['champion'];
};

/**
 * One scheduled job: the drift report of the version an alias serves, from the prediction log the server writes,
 * then `glyco retrain` as the policy says. Recorded in the registry as a run of kind `job` whatever its end.
 */
export async function runJob(settings: JobSettings): Promise<JobResult> {
  const started = new Date();
  const provenance = await runProvenance();
  const id = newRunId(started);
  let ending: Ending;
  try {
    ending = await checkAndRetrain(settings);
  } catch (error) {
    ending = {
      decision: 'failed',
      reason: (error as Error).message,
      exitCode: exitCodeOf(error),
      drift: null,
      retrain: null,
    };
  }
  const { exitCode, drift, retrain, champion, decision, reason } = ending;
  const finished = new Date();
  const record: RunRecord = {
    schemaVersion: 1,
    id,
    kind: 'job',
    model: settings.name,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
    decision,
    reason,
    parameters: {
      alias: settings.alias,
      retrain: settings.retrain,
      since: settings.since.text,
      failOnDrift: settings.failOnDrift,
      retrainArgs: settings.retrainArgs.join(' '),
    },
    data: [],
    metrics: {},
    durations: {},
    ...(champion && { champion }),
    ...(retrain && { retrainRun: retrain.run.id }),
    ...(drift && {
      drift: { window: settings.since.text, rows: drift.rows.analysed, drifted: drift.drifted },
    }),
    ...provenance,
  };
  const failure = decision === 'failed' ? { error: reason } : {};
  try {
    const uri = await writeRun(openRegistry(settings.registry), record);
    return { drift, retrain, exitCode, run: { id, uri }, ...failure };
  } catch (error) {
    const message = `the job's run record could not be written: ${(error as Error).message}`;
    return { drift, retrain, exitCode: exitCode || 1, run: null, error: message };
  }
}

async function checkAndRetrain(settings: JobSettings): Promise<Ending> {
  const { name, alias, report } = settings;
  const store = openRegistry(settings.registry);
  const { record: served } = await requireAlias(store, name, alias);
  const manifest = await readManifest(store, name, served.version);
  const champion = { version: served.version, alias };

  report(`drift of ${name} ${served.version} (${alias}) over the last ${settings.since.text}`);
  const drift = await driftFromLog('job', manifest, {
    since: settings.since.date,
    limit: DEFAULT_DRIFT_ROWS,
  });
  const drifted = drift.drifted.length > 0;
  const found = drifted
    ? `drift in ${drift.drifted.join(', ')}`
    : `no drift over the last ${settings.since.text} (${drift.rows.analysed} predictions)`;
  report(found);

  const retrains = settings.retrain === 'always' || (settings.retrain === 'on-drift' && drifted);
  if (!retrains) {
    const why =
      settings.retrain === 'never'
        ? 'no retrain (--retrain never)'
        : 'nothing to retrain for (--retrain on-drift)';
    return {
      champion,
      drift,
      retrain: null,
      decision: 'skipped',
      reason: `${found}: ${why}`,
      exitCode: drifted && settings.failOnDrift ? DRIFT_EXIT_CODE : 0,
    };
  }

  report(`retraining ${name} against ${served.version} (--retrain ${settings.retrain})`);
  const retrained = await retrainWithArgs([
    name,
    '--registry',
    settings.registry,
    '--alias',
    alias,
    '--drift-window',
    settings.since.text,
    ...settings.retrainArgs,
  ]);
  if (!retrained) throw new Error('retrain printed its help instead of running');
  const { record, uri } = retrained;
  return {
    champion,
    drift,
    retrain: { uri, run: record },
    decision: record.decision,
    reason: `${found}; retrain ${record.id}: ${record.reason}`,
    exitCode: EXIT_CODES[record.decision],
  };
}

/** A usage error keeps its exit code (2); every other failure is 1. */
function exitCodeOf(error: unknown): number {
  const code = (error as { exitCode?: unknown }).exitCode;
  return typeof code === 'number' ? code : 1;
}
