import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Environment } from '../environment.ts';

export interface NodeLoad {
  status: number | null;
  stderr: string;
  /** What the program registered and returned, when it ran to the end. */
  result?: { resources: number; outputs: Record<string, unknown> };
}

/**
 * Loads a stack's `index.ts` the way the Pulumi CLI does with `typescript: false` (Node itself, type stripping,
 * ESM, the default export called as the program), in a child `node` with no test runner, and runs it under the
 * same mocks as `runStack`. A program that only works under vitest (its transforms, its resolver) fails here.
 */
export function loadUnderNode(options: {
  stackDir: string;
  project: string;
  stack: Environment;
  configOverrides?: Record<string, unknown>;
}): NodeLoad {
  const script = `
    import { runStack } from '@glyco/infra/testing';
    const { default: program } = await import(${JSON.stringify(join(options.stackDir, 'index.ts'))});
    if (typeof program !== 'function') throw new Error('index.ts must default-export the program function');
    const run = await runStack({ ...JSON.parse(process.env.GLYCO_RUN), program });
    process.stdout.write(JSON.stringify({ resources: run.resources.length, outputs: run.outputs }));
  `;
  const { stackDir, project, stack, configOverrides } = options;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: stackDir,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: process.env.PATH,
      GLYCO_RUN: JSON.stringify({ project, stack, stackDir, configOverrides }),
    },
  });
  return {
    status: child.status,
    stderr: child.stderr,
    ...(child.status === 0 && { result: JSON.parse(child.stdout) }),
  };
}
