#!/usr/bin/env node
import { asCliError, runCommand } from './cli.ts';

/** Each command lives in its own module, loaded only when it runs so `glyco serve` starts fast. */
const commands: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  train: () => import('./commands/train.ts'),
  serve: () => import('./commands/serve.ts'),
  publish: () => import('./commands/publish.ts'),
  sign: () => import('./commands/sign.ts'),
  promote: () => import('./commands/promote.ts'),
  rollback: () => import('./commands/rollback.ts'),
  models: () => import('./commands/models.ts'),
  drift: () => import('./commands/drift.ts'),
  keys: () => import('./commands/keys.ts'),
  'delete-client': () => import('./commands/delete-client.ts'),
  log: () => import('./commands/log.ts'),
  score: () => import('./commands/score.ts'),
  retrain: () => import('./commands/retrain.ts'),
  runs: () => import('./commands/runs.ts'),
  job: () => import('./commands/job.ts'),
};

await runCommand(commands, process.argv.slice(2)).catch((error: unknown) => {
  const failure = asCliError(error);
  if (!failure) throw error;
  process.stderr.write(`glyco: ${failure.message}\n`);
  process.exit(failure.exitCode);
});
