import { formatDriftTable } from '@glyco/prediction-log';
import { CliError } from '../cli.ts';
import { type JobResult, RETRAIN_POLICIES, type RetrainPolicy, runJob } from '../job/job.ts';
import { parseRegistryArgs, positionals, REGISTRY_HELP } from '../registry-cli.ts';
import { timeOption } from './drift.ts';

const USAGE = `usage: glyco job <name> --registry <uri> [options] [-- <glyco retrain options>]

What the scheduled job in AWS runs (and a person may run anywhere the log is reachable): the drift report of the
version an alias serves, from the prediction log, then glyco retrain as --retrain says. Logs go to stderr; with
--json the last line on stdout is one JSON object, {"drift": {…}, "retrain": {…} or null, "exitCode": n,
"run": {"id", "uri"}}: drift as glyco drift --json prints it, retrain as glyco retrain --json does. The job is
recorded in the registry as a run of kind job (glyco runs <name>), beside the retrain's own run.

${REGISTRY_HELP}
  --alias <alias>                    the alias whose version is checked and challenged (default: production)
  --retrain <never|on-drift|always>  when to retrain (default: on-drift: when a feature drifted)
  --since <time>                     the drift window: a duration ago (30m, 24h, 7d, 2w) or an ISO 8601 time
                                     (default: 7d); the retrain's drift window too
  --fail-on-drift                    exit 3 when a feature drifted and no retrain ran
  --json                             print the result as one JSON line
  -- <options>                       passed to glyco retrain as given (--dry-run, --min-rows 100, --data <csv>, …)

The log is the server's: DATABASE_URL, or DATABASE_SECRET_ARN, DATABASE_HOST, DATABASE_PORT and DATABASE_NAME
as for the server (unset: the embedded database in .glyco/predictions here).

Exit codes: those of glyco retrain when it ran (0 promoted or would be, 3 not promoted, 4 skipped, 1 failed);
otherwise 0, or 3 with --fail-on-drift when a feature drifted; 1 when the drift report or the job's run record
could not be made; 2 usage.`;

/** Options the job sets on the retrain itself: given after --, they would contradict it. */
const JOB_OWNED = /^--(registry|alias|when|drift-window|json|help)(=|$)|^-h$/;

export async function run(args: string[]): Promise<void> {
  const split = args.indexOf('--');
  const retrainArgs = split === -1 ? [] : args.slice(split + 1);
  const parsed = parseRegistryArgs(split === -1 ? args : args.slice(0, split), USAGE, {
    alias: { type: 'string', default: 'production' },
    retrain: { type: 'string', default: 'on-drift' },
    since: { type: 'string', default: '7d' },
    'fail-on-drift': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  if (!parsed) return;
  const { values } = parsed;
  const [name] = positionals('job', parsed.positionals, ['name']);
  const registry = values.registry ?? process.env.GLYCO_REGISTRY;
  if (!registry) throw new CliError('job: no registry: pass --registry <uri> or set GLYCO_REGISTRY', 2);
  const policy = values.retrain;
  if (!RETRAIN_POLICIES.includes(policy as RetrainPolicy)) {
    throw new CliError(`job: --retrain must be ${RETRAIN_POLICIES.join(', ')}; got "${policy}"`, 2);
  }
  const owned = retrainArgs.find((arg) => JOB_OWNED.test(arg));
  if (owned) {
    throw new CliError(
      `job: ${owned} after -- is the job's to set (--registry, --alias, --since, --retrain, --json before --)`,
      2,
    );
  }

  const result = await runJob({
    registry,
    name: name!,
    alias: values.alias,
    retrain: policy as RetrainPolicy,
    since: { text: values.since, date: timeOption('job', 'since', values.since) },
    failOnDrift: values['fail-on-drift'],
    retrainArgs,
    report: (line) => process.stderr.write(`job: ${line}\n`),
  });
  if (result.error) process.stderr.write(`glyco: job: ${result.error}\n`);
  process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : summary(result));
  process.exitCode = result.exitCode;
}

function summary(result: JobResult): string {
  const lines = result.drift ? [formatDriftTable(result.drift).trimEnd()] : [];
  if (result.retrain) {
    const { run, uri } = result.retrain;
    lines.push(`retrain: ${run.decision}: ${run.reason}`, `retrain run ${run.id}: ${uri}`);
  } else if (result.drift) lines.push('retrain: none');
  if (result.run) lines.push(`job run ${result.run.id}: ${result.run.uri}`);
  return `${lines.join('\n')}\n`;
}
