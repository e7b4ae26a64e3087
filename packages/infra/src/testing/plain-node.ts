import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Environment } from '../environment.ts';

export interface PlainNodeRun {
  status: number | null;
  /** The stack outputs' names, when the program ran. */
  outputNames: string[] | undefined;
  stderr: string;
}

/**
 * Runs a stack's `index.ts` the way Pulumi runs it (`typescript: false` in Pulumi.yaml: plain Node 24 strips the
 * types, no test runner transforms anything) in a child process, under the same mocks as `runStack`, and returns
 * the names of the outputs it exported. What only the test runner tolerates (TypeScript-only syntax, an import
 * of a type without `type`, a `.ts` extension missing) fails here as it would under `pulumi up`.
 */
export async function runProgramWithNode(options: {
  project: string;
  stack: Environment;
  stackDir: string;
  configOverrides?: Record<string, unknown>;
}): Promise<PlainNodeRun> {
  const script = `
    const { runStack } = await import('@glyco/infra/testing');
    const { default: program } = await import(${JSON.stringify(join(options.stackDir, 'index.ts'))});
    const run = await runStack({ ...${JSON.stringify(options)}, program });
    process.stdout.write(JSON.stringify(Object.keys(run.outputs).sort()));
  `;
  const child = spawn(process.execPath, ['--input-type=module', '--eval', script], {
    cwd: options.stackDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { status, outputNames: status === 0 ? (JSON.parse(stdout) as string[]) : undefined, stderr };
}
