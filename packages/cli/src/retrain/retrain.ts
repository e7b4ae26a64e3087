import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Lineage,
  type ModelManifest,
  PRIMARY_METRICS,
  primaryMetric,
  sha256Hex,
  type TrainingOptions,
} from '@glyco/contract';
import type { LabelledRow } from '@glyco/prediction-log';
import {
  acquireLock,
  DEFAULT_CV_TOLERANCE,
  type FetchOptions,
  LockHeldError,
  type ManifestSigner,
  newRunId,
  nextFreeVersion,
  type ObjectStore,
  openRegistry,
  type PromotionEvidence,
  promote,
  publish,
  RegistryError,
  type RegistryLock,
  type RunRecord,
  readDataset,
  writeRun,
} from '@glyco/registry';
import { csvShape, type ProgressEvent, trainFromCsv } from '@glyco/trainer';
import { runProvenance } from '../run-provenance.ts';
import { crossValidation, trainingParameters } from '../run-record.ts';
import { type Champion, readChampion } from './champion.ts';
import { compareModels, verdict } from './evaluation.ts';
import type { LabelledSource } from './labelled-source.ts';
import { primaryScore } from './primary-score.ts';
import { rehearsePromotion } from './rehearsal.ts';
import { servedAnswers } from './scoring.ts';
import {
  classIndex,
  csvLines,
  rowsSha256,
  splitByTime,
  usableRows,
  writeTrainingCsv,
} from './training-data.ts';

/** Fewer evaluation rows of a class than this, and no metric of the two models is worth comparing. */
export const MIN_CLASS_ROWS = 10;

export interface RetrainSettings {
  registry: string;
  /** The registry's S3 client, and the keys the champion must be signed by (as a server requires them). */
  storeOptions?: FetchOptions;
  /** Signs the challenger's manifest at publish; without one it is published unsigned. */
  signer?: ManifestSigner | undefined;
  name: string;
  alias: string;
  /** Base training data; default the champion's dataset in the registry. */
  data?: string | undefined;
  /** The challenger's version; default the champion's next free minor version. */
  version?: string | undefined;
  source: LabelledSource;
  /** Only labelled rows predicted since then. */
  since?: Date | undefined;
  holdout: number;
  minRows: number;
  /**
   * How much better the challenger's primary metric must be on the evaluation rows, in the metric's units;
   * default `defaultMinImprovement` of the champion.
   */
  minImprovement?: number | undefined;
  /** How far below the champion's the challenger's CV may be (a share of it); default the registry's. */
  cvTolerance?: number | undefined;
  confidence: number;
  resamples: number;
  minAuc?: number | undefined;
  when: 'always' | 'drifted';
  /** The drift window: how it was written, and its start. */
  driftWindow: { text: string; since: Date };
  dryRun: boolean;
  lockTtlMs: number;
  /** An empty directory this retrain may fill. */
  workDir: string;
  /** One human line of progress. */
  report: (line: string) => void;
  onTrainingProgress?: ((event: ProgressEvent) => void) | undefined;
  now?: () => Date;
}

export interface RetrainResult {
  record: RunRecord;
  /** Where the run record is. */
  uri: string;
}

type Outcome = Pick<RunRecord, 'decision' | 'reason'> & Partial<RunRecord>;

/**
 * One retrain of a model against the version its alias serves, recorded as a run whatever its end: `promoted`,
 * `would-promote` (dry run), `not-promoted`, `skipped` or `failed`. It holds the model's retrain lock throughout,
 * and changes what is served only through `promote` and its gates.
 */
export async function retrain(settings: RetrainSettings): Promise<RetrainResult> {
  const now = settings.now ?? (() => new Date());
  const started = now();
  const store = openRegistry(settings.registry, settings.storeOptions);
  const provenance = await runProvenance();
  const runId = newRunId(started);
  const durations: Record<string, number> = {};
  const parameters = retrainParameters(settings);
  const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
    const begun = performance.now();
    try {
      return await work();
    } finally {
      durations[step] = Math.round(performance.now() - begun);
    }
  };

  let outcome: Outcome;
  let lock: RegistryLock | undefined;
  try {
    lock = await acquireLock(store, settings.name, {
      purpose: 'retrain',
      holder: runId,
      by: provenance.by,
      host: provenance.where.host,
      ttlMs: settings.lockTtlMs,
      now,
    });
    lock.keepAlive();
    outcome = await challenge({ settings, store, lock, runId, timed, parameters });
  } catch (error) {
    outcome =
      error instanceof LockHeldError
        ? { decision: 'skipped', reason: `another retrain is running: ${error.message}` }
        : { decision: 'failed', reason: (error as Error).message };
  } finally {
    await lock?.release().catch(() => {});
  }

  const finished = now();
  const record: RunRecord = {
    schemaVersion: 1,
    id: runId,
    kind: 'retrain',
    model: settings.name,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
    parameters,
    data: [],
    metrics: {},
    durations,
    ...provenance,
    ...outcome,
  };
  return { record, uri: await writeRun(store, record) };
}

type Context = {
  settings: RetrainSettings;
  store: ObjectStore;
  lock: RegistryLock;
  runId: string;
  timed: <T>(step: string, work: () => Promise<T>) => Promise<T>;
  parameters: RunRecord['parameters'];
};

async function challenge(context: Context): Promise<Outcome> {
  const { settings, store, lock, runId, timed } = context;
  const { name, alias, report } = settings;
  const champion = await timed('champion', () =>
    readChampion(
      settings.registry,
      name,
      alias,
      join(settings.workDir, 'cache'),
      settings.storeOptions ?? {},
    ),
  );
  if (champion.assumed) report(champion.assumed);
  const { manifest } = champion;
  const primary = PRIMARY_METRICS[manifest.task];
  if (settings.minAuc !== undefined && primary.metric !== 'rocAuc') {
    throw new RegistryError(
      `--min-auc gates ROC AUC, but ${name} ${champion.version} is a ${manifest.task} model, judged on ${primary.label}`,
    );
  }
  const minImprovement = settings.minImprovement ?? defaultMinImprovement(manifest);
  Object.assign(context.parameters, { minImprovement }, trainingParameters(champion.options));
  const base = { champion: { version: champion.version, alias } };

  report(`checking drift of ${name} ${champion.version} since ${settings.driftWindow.text} ago`);
  const driftReport = await timed('drift', () => settings.source.drift(manifest, settings.driftWindow.since));
  const drift = {
    window: settings.driftWindow.text,
    rows: driftReport.rows.analysed,
    drifted: driftReport.drifted,
  };
  if (settings.when === 'drifted' && drift.drifted.length === 0) {
    return {
      ...base,
      drift,
      decision: 'skipped',
      reason: `no feature of ${name} ${champion.version} drifted over the last ${drift.window} (${drift.rows} predictions): nothing to retrain for`,
    };
  }

  report(`reading labelled rows of ${name} from ${settings.source.name}`);
  const logged = await timed('read-log', () => settings.source.labelledRows(name, settings.since));
  const { usable, dropped } = usableRows(manifest, logged);
  if (dropped > 0)
    report(`left out ${dropped} labelled rows that ${champion.version}'s features cannot describe`);
  const split = splitByTime(usable, settings.holdout);
  const tooFew = shortage(usable.length, split.evaluation, settings.minRows, manifest);
  if (tooFew) return { ...base, drift, decision: 'skipped', reason: tooFew };

  const basePath = settings.data ?? join(settings.workDir, 'base.csv');
  if (!settings.data) await timed('base-data', () => storedBaseData(store, champion, basePath));
  const shape = csvShape(basePath);
  const columns = [manifest.target.name, ...manifest.features.map((feature) => feature.name)];
  const absent = columns.filter((column) => !shape.header.includes(column));
  if (absent.length > 0)
    throw new RegistryError(`the base training data ${basePath} has no column ${absent.join(', ')}`);
  const version = settings.version ?? (await nextFreeVersion(store, name, champion.version));

  const loggedLines = csvLines(manifest, shape.header, split.training);
  const trainingPath = join(settings.workDir, `${name}-${version}.csv`);
  const trainingSha = await writeTrainingCsv(basePath, loggedLines, trainingPath);
  const lineage: Lineage = {
    runId,
    parent: { version: champion.version, alias },
    data: [
      { role: 'base', sha256: sha256Hex(await readFile(basePath)), rows: shape.rows },
      { role: 'logged', sha256: rowsSha256(shape.header, loggedLines), rows: split.training.length },
      {
        role: 'evaluation',
        sha256: rowsSha256(shape.header, csvLines(manifest, shape.header, split.evaluation)),
        rows: split.evaluation.length,
      },
    ],
  };

  report(`training ${name} ${version} on ${split.training.length} logged rows and the base data`);
  const trained = await timed('train', () =>
    train(settings, champion.options, version, trainingPath, lineage),
  );
  const data: RunRecord['data'] = [
    ...lineage.data.map((entry) => ({ ...entry })),
    {
      role: 'training',
      file: `${name}-${version}.csv`,
      sha256: trainingSha,
      rows: trained.manifest.trainingData.rows,
    },
  ];

  report(
    `scoring ${champion.version} and ${version} on the ${split.evaluation.length} most recent labelled rows`,
  );
  const comparison = await timed('evaluate', () => evaluate(settings, champion, trained, split.evaluation));
  const judged = verdict(comparison, minImprovement, primary.label, settings.confidence);
  const evidence: PromotionEvidence = {
    against: champion.version,
    metric: primary.metric,
    rows: split.evaluation.length,
    improvement: comparison.improvement,
    cvTolerance: settings.cvTolerance ?? DEFAULT_CV_TOLERANCE,
  };
  const measured = {
    ...base,
    drift,
    data,
    metrics: {
      crossValidation: crossValidation(trained.manifest),
      evaluation: {
        ...primary,
        rows: split.evaluation.length,
        confidence: settings.confidence,
        resamples: settings.resamples,
        minImprovement,
        ...comparison,
      },
    },
  };
  const challenger = (published: boolean) => ({ version: { version, published } });
  if (!judged.wins)
    return { ...measured, ...challenger(false), decision: 'not-promoted', reason: judged.reason };

  const challengerDir = join(settings.workDir, 'out', name, version);
  if (settings.dryRun) {
    const refusal = await timed('rehearse', () =>
      rehearsePromotion({
        store,
        name,
        alias,
        championVersion: champion.version,
        challengerVersion: version,
        challengerDir,
        trainingData: trainingPath,
        minAuc: settings.minAuc,
        evidence,
        scratchDir: join(settings.workDir, 'rehearsal'),
      }),
    );
    return refusal
      ? {
          ...measured,
          ...challenger(false),
          decision: 'not-promoted',
          reason: `dry run: ${judged.reason}; but the registry's gates would refuse it: ${refusal}`,
        }
      : { ...measured, ...challenger(false), decision: 'would-promote', reason: `dry run: ${judged.reason}` };
  }

  lock.assertHeld();
  report(`publishing ${name} ${version}`);
  await timed('publish', () =>
    publish(store, challengerDir, { data: trainingPath, signer: settings.signer }),
  );
  lock.assertHeld();
  try {
    await timed('promote', () =>
      promote(store, {
        name,
        version,
        alias,
        minAuc: settings.minAuc,
        evidence,
        reason: `retrain ${runId}: ${primary.label} ${comparison.challenger.value.toFixed(4)} against ${comparison.champion.value.toFixed(4)} on the ${split.evaluation.length} most recent labelled rows`,
      }),
    );
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    return {
      ...measured,
      ...challenger(true),
      decision: 'not-promoted',
      reason: `${judged.reason}; published ${version}, but the registry did not promote it: ${error.message}`,
    };
  }
  return { ...measured, ...challenger(true), decision: 'promoted', reason: judged.reason };
}

/** The run's own parameters, flat; the champion's training options join them once it is read. */
function retrainParameters(settings: RetrainSettings): RunRecord['parameters'] {
  return {
    alias: settings.alias,
    source: settings.source.name,
    data: settings.data ?? 'registry',
    since: settings.since?.toISOString() ?? null,
    holdout: settings.holdout,
    minRows: settings.minRows,
    minImprovement: settings.minImprovement ?? null,
    cvTolerance: settings.cvTolerance ?? DEFAULT_CV_TOLERANCE,
    confidence: settings.confidence,
    resamples: settings.resamples,
    minAuc: settings.minAuc ?? null,
    when: settings.when,
    driftWindow: settings.driftWindow.text,
    dryRun: settings.dryRun,
  };
}

/**
 * The improvement a retrain asks for when none is given: 0.01 of ROC AUC (binary) or macro ROC AUC (multiclass);
 * 1% of the champion's cross-validated RMSE (regression), whose units are the target's, to two significant digits.
 */
function defaultMinImprovement(manifest: ModelManifest): number {
  const primary = primaryMetric(manifest);
  return primary.metric === 'rmse' ? Number((primary.crossValidated.mean / 100).toPrecision(2)) : 0.01;
}

/** Why there is nothing worth judging yet, or undefined: too few labelled rows, or of one class. */
function shortage(
  usable: number,
  evaluation: readonly LabelledRow[],
  minRows: number,
  manifest: ModelManifest,
): string | undefined {
  if (usable < minRows)
    return `${usable} labelled rows, fewer than the ${minRows} a retrain needs (--min-rows)`;
  if (manifest.task === 'regression') return undefined;
  const counts = manifest.target.classLabels.map(
    (_, k) => evaluation.filter((row) => classIndex(row) === k).length,
  );
  if (Math.min(...counts) >= MIN_CLASS_ROWS) return undefined;
  const described = manifest.target.classLabels.map((label, k) => `${counts[k]} ${label}`).join(', ');
  return `the ${evaluation.length} evaluation rows hold ${described}: fewer than ${MIN_CLASS_ROWS} of a class to compare the models on`;
}

/** The champion's training data, as publish stored it beside the version, checked against its sha256. */
async function storedBaseData(store: ObjectStore, champion: Champion, path: string): Promise<void> {
  const { name, trainingData } = champion.manifest;
  let data: Uint8Array;
  try {
    data = await readDataset(store, name, trainingData.sha256);
  } catch (error) {
    throw new RegistryError(
      `no training data of ${name} ${champion.version} to retrain from: ${(error as Error).message} ` +
        '(versions published before publish stored their data have none); pass --data <the base CSV>',
    );
  }
  await writeFile(path, data);
}

/** The challenger, trained with the champion's options on the base data and the older labelled rows. */
async function train(
  settings: RetrainSettings,
  options: TrainingOptions,
  version: string,
  data: string,
  lineage: Lineage,
) {
  const schema = join(settings.workDir, 'schema.json');
  await writeFile(schema, `${JSON.stringify(options.schema, null, 2)}\n`);
  return trainFromCsv({
    data,
    schema,
    target: options.target,
    task: options.task,
    positive: options.positive,
    name: settings.name,
    version,
    out: join(settings.workDir, 'out'),
    algorithm: options.algorithm,
    folds: options.folds,
    seed: options.seed,
    classWeight: options.classWeight,
    force: false,
    onProgress: settings.onTrainingProgress,
    lineage,
  });
}

/** Champion and challenger scored by onnxruntime on the same evaluation rows, compared with the bootstrap. */
async function evaluate(
  settings: RetrainSettings,
  champion: Champion,
  challenger: { directory: string; manifest: ModelManifest },
  rows: readonly LabelledRow[],
) {
  const { manifest } = champion;
  return compareModels({
    rows: rows.length,
    champion: await servedAnswers(champion.dir, manifest, rows),
    challenger: await servedAnswers(challenger.directory, challenger.manifest, rows),
    score: primaryScore(manifest, rows),
    direction: PRIMARY_METRICS[manifest.task].direction,
    resamples: settings.resamples,
    confidence: settings.confidence,
    seed: champion.options.seed,
  });
}
