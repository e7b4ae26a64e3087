import { parseArgs } from 'node:util';
import { ConfigError, readSettings } from '@glyco/contract';
import { openPredictionLogAdmin, type UpkeepReport } from '@glyco/prediction-log';
import { CliError } from '../cli.ts';
import { withPredictionLog } from '../prediction-log-cli.ts';

const USAGE = `usage: glyco log prune [--retention-months <n>] [--dry-run] [--json]

Applies the prediction log's retention now, as the server does every hour: the log is partitioned by month
(UTC) of each prediction; every month before the last <n> whole months (and the current one) is detached and
dropped, rows before them left in a partition that also holds newer ones are deleted, and this month's and
next month's partitions are made. Outcomes reported for a dropped prediction go with it.

  --retention-months <n>  months kept before the current one; default PREDICTION_LOG_RETENTION_MONTHS, and
                          when that is unset (keep forever) nothing is dropped
  --dry-run               say what would go, change nothing
  --json                  print the report as one JSON object

The log is the server's: DATABASE_URL (unset: the embedded database, which a running server holds: stop it
first), with DATABASE_SECRET_ARN, DATABASE_HOST, DATABASE_PORT and DATABASE_NAME as for the server; the login
needs to own the predictions table (it creates and drops partitions).`;

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'retention-months': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (positionals.length !== 1 || positionals[0] !== 'prune') {
    throw new CliError('log: the one subcommand is prune; see glyco log --help', 2);
  }
  const retentionMonths = retentionOf(values['retention-months']);
  const dryRun = values['dry-run'];
  const report = await withPredictionLog(
    'log prune',
    openPredictionLogAdmin,
    (log) => log.prune({ retentionMonths, dryRun }),
    'stop it first (it prunes the log every hour itself)',
  );
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : describe(report, dryRun));
}

/** The option, else the server's setting (the settings contract's rules and message). */
function retentionOf(option: string | undefined): number | undefined {
  const env = option === undefined ? process.env : { PREDICTION_LOG_RETENTION_MONTHS: option };
  try {
    return readSettings(env, ({ read }) => read('PREDICTION_LOG_RETENTION_MONTHS'));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const problem = error.message.replace('invalid configuration: ', '');
    const message =
      option === undefined
        ? problem
        : problem.replace('PREDICTION_LOG_RETENTION_MONTHS', '--retention-months');
    throw new CliError(`log prune: ${message}`, 2);
  }
}

function describe(report: UpkeepReport, dryRun: boolean): string {
  const would = dryRun ? 'would be ' : '';
  const lines = report.created.map((name) => `created ${name}`);
  if (!report.keptSince) {
    lines.push('retention: forever (PREDICTION_LOG_RETENTION_MONTHS unset): nothing dropped');
  } else {
    lines.push(`kept: predictions since ${report.keptSince.toISOString()}`);
    for (const { name, rows } of report.dropped) lines.push(`${would}dropped ${name} (${plural(rows)})`);
    lines.push(`${would}deleted ${plural(report.deletedRows)} older than that from partitions that span it`);
  }
  return `${lines.join('\n')}\n`;
}

const plural = (rows: number) => `${rows} prediction${rows === 1 ? '' : 's'}`;
