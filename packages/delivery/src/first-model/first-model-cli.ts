#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { openRegistry, RegistryError } from '@glyco/registry';
import { workspaceRoot } from '../paths.ts';
import { ensureModels } from './first-model.ts';

const USAGE = `usage: first-model-cli.ts --registry <uri> --reason <text> [--bundled <dir>] <model>...
  <model>           <name>@<alias> or <name>/<version>, as a target's "model" config names it
  --registry <uri>  the environment's registry, s3://<bucket>/models
  --reason <text>   why, kept in the history of an alias this sets
  --bundled <dir>   the registry to take a missing model from (default: the repository's models/)
Makes the registry serve each model, from the bundled registry, when it does not yet; never moves an alias.`;

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (!values.registry || !values.reason || positionals.length === 0) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  try {
    const lines = await ensureModels({
      registry: openRegistry(values.registry),
      bundledDir: values.bundled ?? `${workspaceRoot}models`,
      models: positionals,
      reason: values.reason,
    });
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    process.stderr.write(`first model: ${error.message}\n`);
    return 1;
  }
}

function parseCommandLine() {
  return parseArgs({
    allowPositionals: true,
    options: {
      registry: { type: 'string' },
      reason: { type: 'string' },
      bundled: { type: 'string' },
    },
  });
}

process.exitCode = await main();
