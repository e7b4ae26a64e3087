import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseKeysDocument } from '@glyco/contract';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'packages/cli/src/main.ts');

function glycoKeys(args: string[]) {
  const result = spawnSync(process.execPath, [MAIN, 'keys', ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('glyco keys create', () => {
  it('prints a new key once on stdout and the entry that stores only its hash', () => {
    const { status, stdout, stderr } = glycoKeys(['create', 'clinic-a', '--scopes', 'predict,feedback']);
    expect(status).toBe(0);
    const key = stdout.trim();
    expect(key).toMatch(/^glyco_[A-Za-z0-9_-]{43}$/);
    const entry = JSON.parse(stderr.split('\n')[1]!);
    expect(entry).toEqual({
      name: 'clinic-a',
      sha256: createHash('sha256').update(key).digest('hex'),
      scopes: ['predict', 'feedback'],
    });
    expect(stderr).not.toContain(key);
    expect(glycoKeys(['create', 'clinic-a', '--scopes', 'predict']).stdout).not.toBe(stdout);
  });

  it('adds the entry to a keys file the server reads, readable by its owner only', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'glyco-keys-')), 'keys.json');
    expect(glycoKeys(['create', 'a', '--scopes', 'predict', '--file', file]).status).toBe(0);
    const second = glycoKeys(['create', 'b', '--scopes', 'admin', '--file', file]);
    expect(second.status).toBe(0);
    const entries = parseKeysDocument(readFileSync(file, 'utf8'), file);
    expect(entries.map((entry) => entry.name)).toEqual(['a', 'b']);
    expect(entries[1]!.sha256).toBe(createHash('sha256').update(second.stdout.trim()).digest('hex'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(glycoKeys(['create', 'a', '--scopes', 'predict', '--file', file])).toMatchObject({
      status: 1,
      stdout: '',
      stderr: `glyco: keys: ${file} already has a key named "a"; names identify clients\n`,
    });
  });

  it.each([
    [['create', 'x'], 'glyco: keys: --scopes is required (predict, feedback, read-metrics, admin)\n'],
    [
      ['create', 'x', '--scopes', 'predict,root'],
      'glyco: keys: unknown scope "root"; scopes are predict, feedback, read-metrics, admin\n',
    ],
    [
      ['create', 'a b', '--scopes', 'predict'],
      'glyco: keys: "a b" cannot name a key: use 1-64 letters, digits, ".", "_" or "-"\n',
    ],
    [['delete', 'x'], 'glyco: keys: expected "create <name>"; see glyco keys --help\n'],
  ])('refuses %j in one line', (args, stderr) => {
    expect(glycoKeys(args)).toMatchObject({ status: 2, stdout: '', stderr });
  });

  it('refuses a keys file that is not a keys document, without printing a key', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'glyco-keys-')), 'keys.json');
    writeFileSync(file, '{"keys": [{"name": "a"}]}');
    const { status, stdout, stderr } = glycoKeys(['create', 'b', '--scopes', 'predict', '--file', file]);
    expect({ status, stdout }).toEqual({ status: 1, stdout: '' });
    expect(stderr).toMatch(/^glyco: keys: .*keys\.json at keys\.0\.sha256: /);
  });
});
