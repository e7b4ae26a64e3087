import { promote } from '@glyco/registry';
import { CliError } from '../cli.ts';
import {
  describeChange,
  parseRegistryArgs,
  positionals,
  REGISTRY_HELP,
  withRegistry,
} from '../registry-cli.ts';

const USAGE = `usage: glyco promote <name> <version> --alias <alias> [--min-auc <x>] [--force --reason <text>] [--registry <uri>]

  --alias <alias>      the alias to move, e.g. production or staging
  --min-auc <x>        refuse a model whose mean cross-validated ROC AUC is below x (0 to 1)
  --force              promote even when a gate refuses; needs --reason
  --reason <text>      why, recorded in the alias history (default: the metrics)
${REGISTRY_HELP}

Refuses a version whose model does not match its manifest's sha256, whose CV ROC AUC is below --min-auc or
below the version the alias serves now, or whose features would break the API's clients.`;

export async function run(args: string[]): Promise<void> {
  const parsed = parseRegistryArgs(args, USAGE, {
    alias: { type: 'string' },
    'min-auc': { type: 'string' },
    force: { type: 'boolean', default: false },
    reason: { type: 'string' },
  });
  if (!parsed) return;
  const { values } = parsed;
  const [name, version] = positionals('promote', parsed.positionals, ['name', 'version']);
  if (!values.alias) throw new CliError('promote: --alias is required, e.g. --alias production', 2);
  const minAuc = values['min-auc'] === undefined ? undefined : aucOption(values['min-auc']);
  await withRegistry('promote', values.registry, async (store) => {
    const change = await promote(store, {
      name: name!,
      version: version!,
      alias: values.alias!,
      force: values.force,
      minAuc,
      reason: values.reason,
    });
    process.stdout.write(describeChange(change));
  });
}

function aucOption(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !(value >= 0 && value <= 1)) {
    throw new CliError(`promote: --min-auc must be a number from 0 to 1; got "${text}"`, 2);
  }
  return value;
}
