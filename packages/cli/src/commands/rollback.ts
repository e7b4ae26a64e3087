import { parseArgs } from 'node:util';
import { rollback } from '@glyco/registry';
import { CliError } from '../cli.ts';
import {
  describeChange,
  positionals,
  REGISTRY_HELP,
  REGISTRY_OPTION,
  withRegistry,
} from '../registry-cli.ts';

const USAGE = `usage: glyco rollback <name> --alias <alias> [--reason <text>] [--registry <uri>]

  --alias <alias>      the alias to move back, e.g. production
  --reason <text>      why, recorded in the alias history
${REGISTRY_HELP}

Points the alias back at the version it served before its latest promotion; run again to go further back.`;

export async function run(args: string[]): Promise<void> {
  const parsed = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      ...REGISTRY_OPTION,
      alias: { type: 'string' },
      reason: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const [name] = positionals('rollback', parsed.positionals, ['name']);
  if (!values.alias) throw new CliError('rollback: --alias is required, e.g. --alias production', 2);
  await withRegistry('rollback', values.registry, async (store) => {
    const change = await rollback(store, {
      name: name!,
      alias: values.alias!,
      ...(values.reason !== undefined && { reason: values.reason }),
    });
    process.stdout.write(describeChange(change));
  });
}
