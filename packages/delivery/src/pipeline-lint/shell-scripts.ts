import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';

const SHELL_SHEBANG = /^#!\s*(?:\/usr)?\/bin\/(?:env\s+)?(?:ba|da|k)?sh\b/;

/**
 * Every shell script in the repository, tracked or new (not ignored): `*.sh` files and files whose first line
 * is a sh/bash shebang, such as `.ci/run`.
 */
export function shellScripts(root: string): string[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: root,
    encoding: 'utf8',
  });
  return listed
    .split('\0')
    .filter((path) => path && existsSync(join(root, path)))
    .filter((path) => path.endsWith('.sh') || SHELL_SHEBANG.test(firstLine(join(root, path))))
    .sort();
}

function firstLine(path: string): string {
  const buffer = Buffer.alloc(128);
  const fd = openSync(path, 'r');
  try {
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, length).toString('utf8').split('\n')[0] ?? '';
  } finally {
    closeSync(fd);
  }
}

/** Runs shellcheck (every severity, sourced files followed) over `files`, relative to `root`. */
export function shellcheck(root: string, files: string[]): { ok: boolean; output: string } {
  const result = spawnSync('shellcheck', ['--external-sources', '--format=gcc', ...files], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.error)
    throw new Error(`cannot run shellcheck (apt-get install shellcheck): ${result.error.message}`);
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}
