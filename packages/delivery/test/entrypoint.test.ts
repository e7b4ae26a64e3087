import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspaceRoot } from '../src/paths.ts';

const entrypoint = join(workspaceRoot, 'packages/delivery/image/entrypoint.sh');

/** Runs the image's entry point with a stand-in for the Lambda base image's /lambda-entrypoint.sh. */
function start(...args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'glyco-entrypoint-'));
  const lambdaEntrypoint = join(dir, 'lambda-entrypoint.sh');
  writeFileSync(lambdaEntrypoint, '#!/bin/sh\necho "lambda runtime for handler $*"\n');
  chmodSync(lambdaEntrypoint, 0o755);
  return spawnSync(entrypoint, args, {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, GLYCO_LAMBDA_ENTRYPOINT: lambdaEntrypoint },
  });
}

describe('the image entry point', () => {
  it('hands the default command, a handler name, to the Lambda runtime', () => {
    const run = start('dist/lambda.handler');
    expect(run.stdout).toBe('lambda runtime for handler dist/lambda.handler\n');
    expect(run.status).toBe(0);
  });

  it('runs a command as given, as ECS and EKS start the node server', () => {
    const run = start(
      'node',
      '-e',
      'process.stdout.write(process.argv.slice(1).join(" "))',
      'dist/server.mjs',
    );
    expect(run.stdout).toBe('dist/server.mjs');
    expect(run.status).toBe(0);
  });

  it('runs a single-word command that exists rather than treating it as a handler', () => {
    const run = start('true');
    expect(run.stdout).toBe('');
    expect(run.status).toBe(0);
  });

  it('refuses to start with no command', () => {
    const run = start();
    expect(run.status).toBe(64);
    expect(run.stderr).toMatch(/usage/);
  });
});
