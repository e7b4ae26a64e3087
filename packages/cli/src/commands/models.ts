import { primaryMetric } from '@glyco/contract';
import { type AliasEntry, listModels, type ModelEntry, type VersionEntry } from '@glyco/registry';
import { CliError } from '../cli.ts';
import { parseRegistryArgs, REGISTRY_HELP, withRegistry } from '../registry-cli.ts';
import { table, when } from '../table.ts';

const USAGE = `usage: glyco models [<registry>] [--json]

  <registry>           s3://<bucket>/models, file://<dir> or a directory (or --registry; default: $GLYCO_REGISTRY)
${REGISTRY_HELP}
  --json               the full listing (manifests, alias records with their history) as JSON

Lists every model's versions with their metrics and the aliases that point to them, then each alias's last move.`;

export async function run(args: string[]): Promise<void> {
  const parsed = parseRegistryArgs(args, USAGE, { json: { type: 'boolean', default: false } });
  if (!parsed) return;
  const { values } = parsed;
  if (parsed.positionals.length > 1 || (parsed.positionals.length === 1 && values.registry !== undefined)) {
    throw new CliError('models: name one registry; see glyco models --help', 2);
  }
  await withRegistry('models', parsed.positionals[0] ?? values.registry, async (store) => {
    const models = await listModels(store);
    if (values.json) process.stdout.write(`${JSON.stringify(models, null, 2)}\n`);
    else if (models.length === 0) process.stdout.write(`no models in ${store.uri}\n`);
    else process.stdout.write(`${table(versionRows(models))}\n\n${table(aliasRows(models))}\n`);
  });
}

function versionRows(models: ModelEntry[]): string[][] {
  const header = ['MODEL', 'VERSION', 'CREATED', 'TASK', 'ALGORITHM', 'CV METRIC', 'HELD-OUT', 'ALIASES'];
  return [header, ...models.flatMap((model) => model.versions.map((entry) => versionRow(model, entry)))];
}

function versionRow(model: ModelEntry, { version, manifest, problem }: VersionEntry): string[] {
  if (!manifest) return [model.name, version, `unusable: ${problem}`];
  const primary = primaryMetric(manifest);
  const { mean, sd } = primary.crossValidated;
  const aliases = model.aliases
    .filter((entry) => entry.record?.version === version)
    .map((entry) => entry.alias);
  return [
    model.name,
    version,
    when(manifest.createdAt),
    manifest.task,
    manifest.algorithm.name,
    `${primary.label} ${mean.toFixed(3)} ± ${sd.toFixed(3)}`,
    primary.heldOut.toFixed(3),
    aliases.join(', ') || '-',
  ];
}

function aliasRows(models: ModelEntry[]): string[][] {
  const header = ['ALIAS', 'VERSION', 'PREVIOUS', 'UPDATED', 'BY', 'REASON'];
  return [header, ...models.flatMap((model) => model.aliases.map((entry) => aliasRow(model, entry)))];
}

function aliasRow(model: ModelEntry, { alias, record, problem }: AliasEntry): string[] {
  const name = `${model.name}@${alias}`;
  if (!record) return [name, `unusable: ${problem}`];
  const last = record.history.at(-1)!;
  const reason = `${last.action}${last.forced ? ' (forced)' : ''}: ${record.reason}`;
  return [name, record.version, record.previous ?? '-', when(record.updatedAt), record.updatedBy, reason];
}
