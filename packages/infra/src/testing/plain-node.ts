import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { RunStackOptions } from './run-stack.ts';

export interface PlainNodeRun {
  status: number | null;
  stderr: string;
  /** What the program registered and exported, when it ran to the end. */
  run?: { resourceCount: number; outputs: Record<string, unknown> };
}

/** A run's options that cross into the child process (as JSON): everything but the program and invoke mocks. */
export type PlainNodeOptions = Omit<RunStackOptions, 'program' | 'invokes'> & {
  /** Variables the child gets besides `PATH` (e.g. what points an AWS SDK at a test's stand-in API). */
  env?: Record<string, string>;
};

/** Long enough for a program's first import of @pulumi/aws on a loaded machine; a hung child still ends. */
const TIMEOUT_MS = 60_000;

/**
 * Runs a stack's `index.ts` the way the Pulumi CLI runs it with `typescript: false` in Pulumi.yaml: Node 24
 * itself strips the types, imports the module as ESM and calls its default export as the program. It runs in a
 * child `node` with no test runner and only `PATH` (and `env`) in its environment, under the same mocks as `runStack`. What
 * only the test runner tolerates (TypeScript-only syntax, a type imported without `type`, a missing `.ts`
 * extension, a resolver alias) fails here as it would under `pulumi up`.
 */
export async function runProgramWithNode({ env, ...options }: PlainNodeOptions): Promise<PlainNodeRun> {
  const script = `
    import { runStack } from '@glyco/infra/testing';
    const { default: program } = await import(${JSON.stringify(join(options.stackDir, 'index.ts'))});
    if (typeof program !== 'function') throw new Error('index.ts must default-export the program function');
    const run = await runStack({ ...JSON.parse(process.env.GLYCO_RUN), program });
    process.stdout.write(JSON.stringify({ resourceCount: run.resources.length, outputs: run.outputs }));
  `;
  const child = spawn(process.execPath, ['--input-type=module', '--eval', script], {
    cwd: options.stackDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: TIMEOUT_MS,
    env: { ...env, PATH: process.env.PATH, GLYCO_RUN: JSON.stringify(options) },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { status, stderr, ...(status === 0 && { run: JSON.parse(stdout) }) };
}
