import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspaceRoot } from '../src/paths.ts';

const script = join(workspaceRoot, 'scripts/drift-issue.sh');

function report(drifted: string[]) {
  return {
    model: { name: 'pima-diabetes', version: '1.0.0' },
    window: { since: null, until: null },
    rows: { analysed: 500, total: 500 },
    psi_threshold: 0.2,
    min_sample: 200,
    features: [
      {
        feature: 'glucose',
        status: drifted.includes('glucose') ? 'drift' : 'ok',
        count: 500,
        psi: 0.31234,
        ks: 0.2,
      },
      { feature: 'age', status: 'ok', count: 500, psi: 0.01, ks: null },
    ],
    drifted,
    performance: null,
  };
}

/** Runs the script against a stand-in `gh` that records its calls and knows of `openIssue`, if any. */
function run(content: unknown, openIssue = '') {
  const dir = mkdtempSync(join(tmpdir(), 'glyco-drift-'));
  const calls = join(dir, 'calls.log');
  writeFileSync(
    join(dir, 'gh'),
    `#!/bin/sh\nprintf '%s\\n' "$*" >> '${calls}'\n[ "$1 $2" = "issue list" ] && printf '%s' '${openIssue}'\nexit 0\n`,
  );
  chmodSync(join(dir, 'gh'), 0o755);
  writeFileSync(join(dir, 'report.json'), JSON.stringify(content));
  writeFileSync(calls, '');
  const result = spawnSync('bash', [script, join(dir, 'report.json')], {
    encoding: 'utf8',
    env: { PATH: `${dir}:${process.env.PATH}` },
  });
  return { ...result, calls: readFileSync(calls, 'utf8') };
}

describe('scripts/drift-issue.sh', () => {
  it('does nothing when no feature drifts', () => {
    const result = run(report([]));
    expect(result.status).toBe(0);
    expect(result.calls).toBe('');
  });

  it('opens an issue naming the drifted features, with the report as a table', () => {
    const result = run(report(['glucose']));
    expect(result.status).toBe(0);
    expect(result.calls).toMatch(
      /^issue create --title Feature drift in pima-diabetes 1\.0\.0: glucose --label drift/m,
    );
    expect(result.calls).toMatch(/\| glucose \| drift \| 0\.312 \| 0\.2 \| 500 \|/);
    expect(result.calls).toMatch(/\| age \| ok \| 0\.01 \| – \| 500 \|/);
  });

  it('comments on the drift issue already open instead of opening another', () => {
    const result = run(report(['glucose']), '42');
    expect(result.status).toBe(0);
    expect(result.calls).toMatch(/^issue comment 42 --body /m);
    expect(result.calls).not.toMatch(/issue create/);
  });

  it('takes the result of glyco job too, and says whether a retrain ran and what it decided', () => {
    const retrain = {
      run: { id: 'r1', decision: 'not-promoted', reason: 'the challenger is not better' },
      uri: 's3://b/r1',
    };
    const result = run({ drift: report(['glucose']), retrain, exitCode: 3 });
    expect(result.status).toBe(0);
    expect(result.calls).toMatch(/^issue create --title Feature drift in pima-diabetes 1\.0\.0: glucose/m);
    expect(result.calls).toMatch(
      /Retrain: \*\*not-promoted\*\*: the challenger is not better \(run r1, s3:\/\/b\/r1\)/,
    );
    const none = run({ drift: report(['glucose']), retrain: null, exitCode: 0 });
    expect(none.calls).toMatch(/Retrain: none ran/);
  });

  it('refuses a file that is not a drift report', () => {
    const result = run({ error: 'database unreachable' });
    expect(result.status).toBe(65);
    expect(result.stderr).toMatch(/not a drift report/);
    expect(result.calls).toBe('');
  });
});
