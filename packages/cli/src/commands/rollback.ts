import { rollback } from '@glyco/registry';
import { CliError } from '../cli.ts';
import {
  describeChange,
  parseRegistryArgs,
  positionals,
  REGISTRY_HELP,
  withRegistry,
} from '../registry-cli.ts';

const USAGE = `usage: glyco rollback <name> --alias <alias> [--reason <text>] [--registry <uri>]

  --alias <alias>      the alias to move back, e.g. production
  --reason <text>      why, recorded in the alias history
${REGISTRY_HELP}

Points the alias back at the version it served before its latest promotion; run again to go further back.`;

export async function run(args: string[]): Promise<void> {
  const parsed = parseRegistryArgs(args, USAGE, { alias: { type: 'string' }, reason: { type: 'string' } });
  if (!parsed) return;
  const { values } = parsed;
  const [name] = positionals('rollback', parsed.positionals, ['name']);
  if (!values.alias) throw new CliError('rollback: --alias is required, e.g. --alias production', 2);
  await withRegistry('rollback', values.registry, async (store) => {
    const change = await rollback(store, {
      name: name!,
      alias: values.alias!,
      reason: values.reason,
    });
    process.stdout.write(describeChange(change));
  });
}
