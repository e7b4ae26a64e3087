import { listRuns, type RunEntry, type RunRecord, readRun, runVersionLabel } from '@glyco/registry';
import { CliError } from '../cli.ts';
import { parseRegistryArgs, REGISTRY_HELP, withRegistry } from '../registry-cli.ts';
import { table, when } from '../table.ts';

const USAGE = `usage: glyco runs <name> [<run-id> <run-id> ...] [--registry <uri>] [--limit <n>] [--json]

Lists a model's training and retraining runs, newest first: what each decided and why, its metrics, who ran it.
Given run ids, compares those runs side by side: parameters (those that differ marked *), data, metrics.

${REGISTRY_HELP}
  --limit <n>          the newest n runs (default: 20)
  --json               the run records as JSON`;

export async function run(args: string[]): Promise<void> {
  const parsed = parseRegistryArgs(args, USAGE, {
    limit: { type: 'string', default: '20' },
    json: { type: 'boolean', default: false },
  });
  if (!parsed) return;
  const { values } = parsed;
  const [name, ...ids] = parsed.positionals;
  if (!name) throw new CliError('runs: expected <name>; see glyco runs --help', 2);
  const limit = Number(values.limit);
  if (!/^\d+$/.test(values.limit) || limit < 1)
    throw new CliError('runs: --limit must be a whole number above 0', 2);
  await withRegistry('runs', values.registry, async (store) => {
    const entries =
      ids.length > 0
        ? await Promise.all(ids.map((id) => readRun(store, name, id)))
        : await listRuns(store, name, limit);
    if (ids.length > 0) {
      const missing = entries.find((entry) => !entry.record);
      if (missing)
        throw new CliError(`runs: run ${missing.id} of ${name}: ${missing.problem ?? 'not found'}`);
    }
    if (values.json) process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    else if (entries.length === 0) process.stdout.write(`no runs of ${name} in ${store.uri}\n`);
    else if (ids.length > 0) process.stdout.write(`${comparison(entries.map((entry) => entry.record!))}\n`);
    else process.stdout.write(`${table([HEADER, ...entries.map(row)])}\n`);
  });
}

const HEADER = [
  'RUN',
  'KIND',
  'STARTED',
  'TOOK',
  'DECISION',
  'VERSION',
  'CV METRIC',
  'EVALUATION',
  'BY',
  'REASON',
];

function row({ id, record, problem }: RunEntry): string[] {
  if (!record) return [id, `unusable: ${problem}`];
  return [
    id,
    record.kind,
    when(record.startedAt),
    `${(record.durationMs / 1000).toFixed(1)} s`,
    record.decision,
    runVersionLabel(record),
    cvCell(record),
    evaluationCell(record),
    record.by,
    record.reason,
  ];
}

function cvCell(record: RunRecord): string {
  const cv = record.metrics.crossValidation;
  return cv ? `${cv.label} ${cv.mean.toFixed(3)} ± ${cv.sd.toFixed(3)}` : '-';
}

/**
 * `ROC AUC 0.812 vs 0.701 (+0.111 [0.071, 0.150])`: the task's metric, challenger, champion, improvement (positive
 * is better, for RMSE too) with its interval.
 */
function evaluationCell(record: RunRecord): string {
  const evaluation = record.metrics.evaluation;
  if (!evaluation) return '-';
  const { challenger, champion, improvement, label } = evaluation;
  const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;
  return `${label} ${challenger.value.toFixed(3)} vs ${champion.value.toFixed(3)} (${signed(improvement.value)} [${signed(improvement.low)}, ${signed(improvement.high)}])`;
}

/** Runs side by side, one column each: what differs between them is what explains their results. */
function comparison(records: RunRecord[]): string {
  const lines: string[][] = [['', ...records.map((record) => record.id)]];
  const add = (label: string, cells: string[]) => {
    const differs = new Set(cells).size > 1;
    lines.push([`${differs ? '*' : ' '} ${label}`, ...cells]);
  };
  add(
    'kind',
    records.map((record) => record.kind),
  );
  add(
    'decision',
    records.map((record) => record.decision),
  );
  add(
    'version',
    records.map((record) => runVersionLabel(record)),
  );
  const keys = [...new Set(records.flatMap((record) => Object.keys(record.parameters)))].sort();
  for (const key of keys)
    add(
      key,
      records.map((record) => String(record.parameters[key] ?? '-')),
    );
  const roles = [...new Set(records.flatMap((record) => record.data.map((entry) => entry.role)))];
  for (const role of roles) {
    add(
      `${role} data`,
      records.map((record) => {
        const entry = record.data.find((candidate) => candidate.role === role);
        return entry ? `${entry.rows} rows${entry.sha256 ? ` ${entry.sha256.slice(0, 12)}` : ''}` : '-';
      }),
    );
  }
  add('CV metric', records.map(cvCell));
  add('evaluation', records.map(evaluationCell));
  add(
    'took',
    records.map((record) => `${(record.durationMs / 1000).toFixed(1)} s`),
  );
  add(
    'by',
    records.map((record) => record.by),
  );
  return table(lines);
}
