import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTimeBound, TimeBoundError } from '@glyco/prediction-log';
import { DEFAULT_CV_TOLERANCE, type RunDecision, type RunRecord } from '@glyco/registry';
import { CliError } from '../cli.ts';
import { parseRegistryArgs, positionals, REGISTRY_HELP } from '../registry-cli.ts';
import { databaseSource, serverSource } from '../retrain/labelled-source.ts';
import { type RetrainResult, type RetrainSettings, retrain } from '../retrain/retrain.ts';
import { modelTrust, SIGNING_HELP, SIGNING_OPTIONS, signerFrom } from '../signing-cli.ts';

/** What a scheduler acts on: the exit code of each end of a retrain (2 is a usage error, as for every command). */
export const EXIT_CODES: Record<RunDecision, number> = {
  promoted: 0,
  'would-promote': 0,
  trained: 0,
  'not-promoted': 3,
  skipped: 4,
  failed: 1,
};

const USAGE = `usage: glyco retrain <name> --registry <uri> [options]

Challenges the version an alias serves (the champion) with a model retrained on newer data, and moves the alias
only when the challenger is better on the most recent labelled predictions and passes the registry's gates.
The challenger is trained with the champion's recorded options on its base data plus the older labelled rows of
the prediction log; the most recent labelled rows are held out, and both models are scored on them with
bootstrap intervals, on the task's primary metric: ROC AUC (binary), macro one-vs-rest ROC AUC (multiclass),
RMSE (regression, lower is better). Every run is recorded in the registry (glyco runs <name>).

${REGISTRY_HELP}
  --alias <alias>           the alias to challenge and move (default: production)
  --data <csv>              base training data (default: the dataset stored with the champion in the registry)
  --version <v>             the challenger's version (default: the champion's next minor version not yet used)
  --from-server <url>       read the log through a running server on this machine (its outcomes export) instead
                            of the database DATABASE_* names, which the server holds when it is embedded
  --since <time>            only labelled rows predicted since then (ISO 8601 time, or 30m, 24h, 7d, 2w ago)
  --holdout <share>         the most recent share of labelled rows held out to judge both models (default: 0.3)
  --min-rows <n>            labelled rows needed to retrain at all; fewer is a skip (default: 200)
  --min-improvement <x>     how much better the challenger's primary metric must be, in its units (default:
                            0.01 of ROC AUC; for a regression model, 1% of the champion's CV RMSE)
  --confidence <p>          of the bootstrap intervals; the improvement's must lie above 0 (default: 0.95)
  --resamples <n>           bootstrap resamples (default: 1000)
  --min-auc <x>             the promote gate's floor on the challenger's CV ROC AUC (classifiers)
  --cv-tolerance <share>    the promote gate's floor on the challenger's CV primary metric, as the share of the
                            champion's it may fall short by (default: 0.1); the gate judges the challenger on the
                            evaluation rows, where both models are scored, not on CVs of different data
  --when <always|drifted>   drifted: retrain only when a feature of the champion drifted (default: always)
  --drift-window <time>     the drift report's window (default: 7d)
  --lock-ttl <seconds>      how long the retrain lock lasts unless renewed (default: 900)
  --dry-run                 everything but publishing and promoting (the gates are tried on a scratch copy)
  --json                    print the run record as JSON
${SIGNING_HELP}
                       (the champion is checked against MODEL_SIGNING_PUBLIC_KEY[_FILE] when set, as a server does)

Exit codes: 0 promoted (or would be, with --dry-run), 3 not promoted (the champion stays; the run says why),
4 skipped (too few labelled rows, no drift with --when drifted, or another retrain running), 1 failed, 2 usage.`;

export async function run(args: string[]): Promise<void> {
  const retrained = await retrainWithArgs(args);
  if (!retrained) return;
  const { record, uri, json } = retrained;
  process.stdout.write(json ? `${JSON.stringify({ uri, run: record }, null, 2)}\n` : summary(record, uri));
  process.exitCode = EXIT_CODES[record.decision];
}

/**
 * `glyco retrain <args>` without printing: its run record, where it is, and whether --json was asked for;
 * undefined after --help. `glyco job` runs a retrain so, and maps the record's decision by EXIT_CODES.
 */
export async function retrainWithArgs(
  args: string[],
): Promise<(RetrainResult & { json: boolean }) | undefined> {
  const parsed = parseRegistryArgs(args, USAGE, {
    alias: { type: 'string', default: 'production' },
    data: { type: 'string' },
    version: { type: 'string' },
    'from-server': { type: 'string' },
    since: { type: 'string' },
    holdout: { type: 'string', default: '0.3' },
    'min-rows': { type: 'string', default: '200' },
    'min-improvement': { type: 'string' },
    'cv-tolerance': { type: 'string', default: String(DEFAULT_CV_TOLERANCE) },
    confidence: { type: 'string', default: '0.95' },
    resamples: { type: 'string', default: '1000' },
    'min-auc': { type: 'string' },
    when: { type: 'string', default: 'always' },
    'drift-window': { type: 'string', default: '7d' },
    'lock-ttl': { type: 'string', default: '900' },
    'dry-run': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    ...SIGNING_OPTIONS,
  });
  if (!parsed) return;
  const { values } = parsed;
  const [name] = positionals('retrain', parsed.positionals, ['name']);
  const registry = values.registry ?? process.env.GLYCO_REGISTRY;
  if (!registry) throw new CliError('retrain: no registry: pass --registry <uri> or set GLYCO_REGISTRY', 2);
  const when = values.when;
  if (when !== 'always' && when !== 'drifted') {
    throw new CliError(`retrain: --when must be always or drifted; got "${when}"`, 2);
  }
  const fromServer = values['from-server'];
  if (fromServer !== undefined && !/^https?:\/\/[^/]+/.test(fromServer)) {
    throw new CliError(
      `retrain: --from-server must be an http(s) URL, e.g. http://localhost:8080; got "${fromServer}"`,
      2,
    );
  }
  const settings: Omit<RetrainSettings, 'workDir'> = {
    registry,
    storeOptions: { trusted: modelTrust('retrain') },
    signer: await signerFrom('retrain', values),
    name: name!,
    alias: values.alias,
    data: values.data,
    version: values.version,
    source: fromServer ? serverSource(fromServer) : databaseSource(),
    since: values.since === undefined ? undefined : time('since', values.since),
    holdout: number('holdout', values.holdout, { above: 0, below: 1 }),
    minRows: integer('min-rows', values['min-rows'], 2),
    minImprovement:
      values['min-improvement'] === undefined
        ? undefined
        : number('min-improvement', values['min-improvement'], { atLeast: 0 }),
    cvTolerance: number('cv-tolerance', values['cv-tolerance'], { atLeast: 0, below: 1 }),
    confidence: number('confidence', values.confidence, { above: 0, below: 1 }),
    resamples: integer('resamples', values.resamples, 100),
    minAuc:
      values['min-auc'] === undefined
        ? undefined
        : number('min-auc', values['min-auc'], { atLeast: 0, atMost: 1 }),
    when,
    driftWindow: { text: values['drift-window'], since: time('drift-window', values['drift-window']) },
    dryRun: values['dry-run'],
    lockTtlMs: integer('lock-ttl', values['lock-ttl'], 10) * 1000,
    report: (line: string) => {
      process.stderr.write(`retrain: ${line}\n`);
    },
  };
  const workDir = await mkdtemp(join(tmpdir(), 'glyco-retrain-'));
  try {
    return { ...(await retrain({ ...settings, workDir })), json: values.json };
  } catch (error) {
    // Only what keeps the run from being recorded gets here (the registry cannot be written).
    throw new CliError(`retrain: ${(error as Error).message}`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

function summary(record: RunRecord, uri: string): string {
  const challenger = record.version ? ` ${record.version.version}` : '';
  const champion = record.champion ? ` (champion ${record.champion.version}@${record.champion.alias})` : '';
  return `${record.decision}${challenger}${champion}: ${record.reason}\nrun ${record.id}: ${uri}\n`;
}

function time(option: string, text: string): Date {
  try {
    return parseTimeBound(text);
  } catch (error) {
    if (error instanceof TimeBoundError) throw new CliError(`retrain: --${option} ${error.message}`, 2);
    throw error;
  }
}

type Bounds = { above?: number; below?: number; atLeast?: number; atMost?: number };

function number(option: string, text: string, bounds: Bounds): number {
  const value = Number(text);
  const ok =
    text.trim() !== '' &&
    Number.isFinite(value) &&
    (bounds.above === undefined || value > bounds.above) &&
    (bounds.below === undefined || value < bounds.below) &&
    (bounds.atLeast === undefined || value >= bounds.atLeast) &&
    (bounds.atMost === undefined || value <= bounds.atMost);
  if (ok) return value;
  const range = [
    bounds.above !== undefined && `above ${bounds.above}`,
    bounds.atLeast !== undefined && `at least ${bounds.atLeast}`,
    bounds.below !== undefined && `below ${bounds.below}`,
    bounds.atMost !== undefined && `at most ${bounds.atMost}`,
  ].filter(Boolean);
  throw new CliError(`retrain: --${option} must be a number ${range.join(' and ')}; got "${text}"`, 2);
}

function integer(option: string, text: string, min: number): number {
  const value = Number(text);
  if (/^\d+$/.test(text) && Number.isSafeInteger(value) && value >= min) return value;
  throw new CliError(`retrain: --${option} must be a whole number from ${min}; got "${text}"`, 2);
}
