import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { type AliasChange, type ObjectStore, openRegistry, RegistryError } from '@glyco/registry';
import { CliError } from './cli.ts';

export const REGISTRY_HELP =
  '  --registry <uri>     s3://<bucket>/models, file://<dir> or a directory (default: $GLYCO_REGISTRY)';

const COMMON_OPTIONS = {
  registry: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** Parses a registry command's arguments (its own options, plus --registry and --help); undefined after --help. */
export function parseRegistryArgs<Options extends ParseArgsOptionsConfig>(
  args: string[],
  usage: string,
  options: Options,
) {
  const parsed = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: { ...options, ...COMMON_OPTIONS },
  });
  // The generic options hide `help` from the type checker; COMMON_OPTIONS always defines it.
  if (!(parsed.values as { help: boolean }).help) return parsed;
  process.stdout.write(`${usage}\n`);
  return undefined;
}

/**
 * Runs a registry command on the registry named on the command line, else by GLYCO_REGISTRY. What the registry
 * refuses (bad URI, missing version, failed gate, hash mismatch, S3 errors) becomes one line and exit code 1.
 */
export async function withRegistry(
  command: string,
  uri: string | undefined,
  action: (store: ObjectStore) => Promise<void>,
): Promise<void> {
  const chosen = uri ?? process.env.GLYCO_REGISTRY;
  if (!chosen) throw new CliError(`${command}: no registry: pass --registry <uri> or set GLYCO_REGISTRY`, 2);
  try {
    await action(openRegistry(chosen));
  } catch (error) {
    if (error instanceof RegistryError) throw new CliError(`${command}: ${error.message}`);
    throw error;
  }
}

/** Exactly the positional arguments the usage names, else a usage error. */
export function positionals(command: string, values: string[], names: string[]): string[] {
  if (values.length !== names.length) {
    const expected = names.map((name) => `<${name}>`).join(' ');
    throw new CliError(`${command}: expected ${expected}; see glyco ${command} --help`, 2);
  }
  return values;
}

/** `production: pima-diabetes 1.1.0 → 1.0.0 (rollback: p99 latency)` */
export function describeChange(change: AliasChange): string {
  const move = change.record.history.at(-1)!;
  const from = change.from ? `${change.from} → ` : '';
  const forced = move.forced ? ', forced' : '';
  return `${change.alias}: ${change.name} ${from}${change.to} (${move.action}${forced}: ${move.reason})\n`;
}
