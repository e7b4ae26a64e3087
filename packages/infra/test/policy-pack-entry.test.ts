import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const packDir = new URL('../policy', import.meta.url).pathname;
const pulumiDir = dirname(createRequire(import.meta.url).resolve('@pulumi/pulumi/package.json'));

// What @pulumi/pulumi's cmd/run-policy-pack does before it requires the pack: register ts-node (always).
const RUNNER = `
const { typeScriptRequireStrings } = require(${JSON.stringify(join(pulumiDir, 'tsutils.js'))});
const { tsnodeRequire, typescriptRequire } = typeScriptRequireStrings();
require(tsnodeRequire).register({ typeCheck: true, skipProject: true, compiler: typescriptRequire,
  compilerOptions: { target: 'ES2020', module: 'nodenext', moduleResolution: 'nodenext' } });
require(${JSON.stringify(packDir)});
`;

describe('the policy pack entry point', () => {
  it('loads under the runner that `pulumi preview --policy-pack` starts, and serves the pack', async () => {
    const child = spawn(process.execPath, ['-e', RUNNER], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    // The pack prints the port of its analyzer server once it is up; it then waits for the engine.
    const port = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no port within 20 s; stderr: ${stderr}`)), 20_000);
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        const match = /^(\d+)\s*$/m.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the pack exited with ${code}: ${stderr}`));
      });
    }).finally(() => child.kill());
    expect(Number(port)).toBeGreaterThan(0);
  }, 30_000);
});
