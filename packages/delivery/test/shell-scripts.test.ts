import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspaceRoot } from '../src/paths.ts';
import { shellcheck, shellScripts } from '../src/pipeline-lint/shell-scripts.ts';

/** Skipped with the reason on a developer's machine without shellcheck; CI (CI=true) installs it and must run it. */
const shellcheckMissing =
  spawnSync('shellcheck', ['--version']).error && process.env.CI !== 'true'
    ? 'shellcheck is not installed (apt-get install shellcheck, as .ci/run does)'
    : undefined;

describe('the shell scripts', () => {
  const scripts = shellScripts(workspaceRoot);

  it('include the CI entry point, the pipeline scripts and the image entry point', () => {
    expect(scripts).toEqual(
      expect.arrayContaining([
        '.ci/run',
        '.ci/postgres.sh',
        'scripts/deploy-environment.sh',
        'scripts/drift-issue.sh',
        'scripts/image-smoke.sh',
        'scripts/lib/stacks.sh',
        'scripts/pr-comment.sh',
        'scripts/pulumi-preview.sh',
        'scripts/run-job.sh',
        'packages/delivery/image/entrypoint.sh',
      ]),
    );
  });

  it.skipIf(shellcheckMissing)('pass shellcheck at every severity', () => {
    const result = shellcheck(workspaceRoot, scripts);
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  });

  it.skipIf(shellcheckMissing)('shellcheck reports a script that would misbehave', () => {
    const dir = mkdtempSync(join(tmpdir(), 'glyco-shellcheck-'));
    writeFileSync(join(dir, 'bad.sh'), '#!/bin/sh\nrm -rf $1/*\n');
    const result = shellcheck(dir, ['bad.sh']);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/SC2086/);
  });
});
