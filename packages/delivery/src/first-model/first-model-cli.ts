#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { kmsSigner, openRegistry, RegistryError } from '@glyco/registry';
import { workspaceRoot } from '../paths.ts';
import { ensureModels } from './first-model.ts';

const USAGE = `usage: first-model-cli.ts --registry <uri> --reason <text> [--bundled <dir>] <model>...
  <model>           <name>@<alias> or <name>/<version>, as a target's "model" config names it
  --registry <uri>  the environment's registry, s3://<bucket>/models
  --reason <text>   why, kept in the history of an alias this sets
  --bundled <dir>   the registry to take a missing model from (default: the repository's models/)
  --kms-signing-key <arn>
                    sign what it publishes with this AWS KMS key (the platform's modelSigningKeyArn)
Makes the registry serve each model, from the bundled registry, when it does not yet; never moves an alias.`;

async function main(): Promise<number> {
  const options = commandLine();
  if (!options) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  try {
    const lines = await ensureModels({
      registry: openRegistry(options.registry),
      bundledDir: options.bundled ?? `${workspaceRoot}models`,
      models: options.models,
      reason: options.reason,
      signer: options.kmsSigningKey ? kmsSigner(options.kmsSigningKey) : undefined,
    });
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    process.stderr.write(`first model: ${error.message}\n`);
    return 1;
  }
}

/** The options, or undefined when the command line is not one this takes (the error goes with the usage). */
function commandLine() {
  try {
    const { values, positionals } = parseArgs({
      allowPositionals: true,
      options: {
        registry: { type: 'string' },
        reason: { type: 'string' },
        bundled: { type: 'string' },
        'kms-signing-key': { type: 'string' },
      },
    });
    const { registry, reason, bundled } = values;
    if (!registry || !reason || positionals.length === 0) return undefined;
    return { registry, reason, bundled, kmsSigningKey: values['kms-signing-key'], models: positionals };
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return undefined;
  }
}

process.exitCode = await main();
