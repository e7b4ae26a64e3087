import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MANIFEST_FILE, type ModelManifest, parseManifest } from '@glyco/contract';
import {
  DEFAULT_DATA_DIR,
  DEFAULT_DRIFT_ROWS,
  type DriftReport,
  type DriftWindow,
  formatDriftTable,
  loggedDrift,
  parseTimeBound,
  TimeBoundError,
} from '@glyco/prediction-log';
import { CliError } from '../cli.ts';
import { withLogReader } from '../prediction-log-cli.ts';

const DEFAULT_MODEL = 'pima-diabetes';
/** Distinct from 1 (could not report) and 2 (bad usage), for cron jobs and CI gates. */
export const DRIFT_EXIT_CODE = 3;

const USAGE = `usage: glyco drift [options]

Per feature, the Population Stability Index of the logged inputs against the training data's reference
distribution, with the Kolmogorov-Smirnov test for numbers and the chi-square test for categories; PSI > 0.2 is
flagged. Where outcomes were reported (POST /v1/feedback), the model's live metrics: ROC AUC and accuracy
(binary), accuracy and macro F1 (multiclass), RMSE and MAE (regression).

  --model <name>     the model (default: ${DEFAULT_MODEL})
  --version <v>      its version (default: the newest under <models>/<name>/)
  --since <time>     from: an ISO 8601 time (2026-05-01, 2026-05-01T08:00:00Z) or a duration ago (30m, 24h, 7d, 2w)
  --until <time>     to, in the same forms (default: now)
  --limit <n>        analyse the most recent <n> predictions at most (default: ${DEFAULT_DRIFT_ROWS})
  --models <dir>     the local model registry with <name>/<version>/manifest.json (default: models)
  --json             print the report as JSON instead of a table
  --fail-on-drift    exit with code ${DRIFT_EXIT_CODE} when a feature drifted

The log is the server's: DATABASE_URL (unset: the embedded database in ${DEFAULT_DATA_DIR}; or a postgres:// URL),
with DATABASE_SECRET_ARN, DATABASE_HOST, DATABASE_PORT and DATABASE_NAME as for the server.`;

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      model: { type: 'string', default: DEFAULT_MODEL },
      version: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      limit: { type: 'string', default: String(DEFAULT_DRIFT_ROWS) },
      models: { type: 'string', default: 'models' },
      json: { type: 'boolean', default: false },
      'fail-on-drift': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const since = timeOption('drift', 'since', values.since);
  const until = timeOption('drift', 'until', values.until);
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw new CliError('drift: --limit must be a whole number above 0', 2);
  const manifest = await readModelManifest(resolve(values.models), values.model, values.version);

  const report = await driftFromLog('drift', manifest, { since, until, limit });
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatDriftTable(report));
  if (values['fail-on-drift'] && report.drifted.length > 0) process.exitCode = DRIFT_EXIT_CODE;
}

/** The drift report of a model version over a window of the log the server writes (DATABASE_*, read-only). */
export function driftFromLog(
  command: string,
  manifest: ModelManifest,
  window: DriftWindow,
): Promise<DriftReport> {
  return withLogReader(
    command,
    'ask it instead, e.g. curl http://localhost:8080/v1/models/<name>/drift',
    (reader) => loggedDrift(reader, manifest, window),
  );
}

/** A time option (ISO 8601, or a duration ago), or a usage error that names the command and the option. */
export function timeOption(command: string, name: string, text: string): Date;
export function timeOption(command: string, name: string, text: string | undefined): Date | undefined;
export function timeOption(command: string, name: string, text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  try {
    return parseTimeBound(text);
  } catch (error) {
    if (error instanceof TimeBoundError) throw new CliError(`${command}: --${name} ${error.message}`, 2);
    throw error;
  }
}

async function readModelManifest(
  registry: string,
  name: string,
  version: string | undefined,
): Promise<ModelManifest> {
  const modelDir = join(registry, name);
  const chosen = version ?? (await newestVersion(modelDir));
  const path = join(modelDir, chosen, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new CliError(`drift: no manifest at ${path}; see --models, --model and --version`);
  }
  try {
    return parseManifest(JSON.parse(text));
  } catch (error) {
    throw new CliError(`drift: ${path}: ${(error as Error).message}`);
  }
}

/** Numeric-aware, so 1.10.0 is newer than 1.9.0; only folders with a manifest (not runs/ or datasets/) are versions. */
async function newestVersion(modelDir: string): Promise<string> {
  const versions = await readdir(modelDir, { withFileTypes: true }).then(
    (entries) =>
      entries
        .filter((entry) => entry.isDirectory() && existsSync(join(modelDir, entry.name, MANIFEST_FILE)))
        .map((entry) => entry.name),
    () => [],
  );
  const newest = versions.sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))[0];
  if (!newest) throw new CliError(`drift: no model versions in ${modelDir}; see --models and --model`);
  return newest;
}
