import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'vitest';

const run = promisify(execFile);

/**
 * A real file system of its own, small enough to fill: a tmpfs mounted for one test. The disk-fault tests use
 * it for a full disk (ENOSPC, short writes) and a read-only one (remounted `ro`), as the kernel makes them.
 */
export interface TestFilesystem {
  dir: string;
  readOnly(): Promise<void>;
  writable(): Promise<void>;
  unmount(): Promise<void>;
}

/** Why a tmpfs cannot be mounted here (mounting needs root, and CAP_SYS_ADMIN in a container), or undefined. */
export const mountUnavailable: string | undefined = (() => {
  const dir = join(tmpdir(), `glyco-mount-probe-${process.pid}`);
  try {
    execFileSync('mkdir', ['-p', dir]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'pipe' });
    execFileSync('umount', [dir]);
    return undefined;
  } catch (error) {
    return `cannot mount a tmpfs here (${String((error as { stderr?: unknown }).stderr ?? error).trim()}): run as root, with CAP_SYS_ADMIN`;
  } finally {
    execFileSync('rm', ['-rf', dir]);
  }
})();

export async function mountTmpfs(bytes: number): Promise<TestFilesystem> {
  const dir = await mkdtemp(join(tmpdir(), 'glyco-tmpfs-'));
  await run('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir]);
  return {
    dir,
    readOnly: async () => void (await run('mount', ['-o', 'remount,ro', dir])),
    writable: async () => void (await run('mount', ['-o', 'remount,rw', dir])),
    async unmount() {
      await run('umount', ['-l', dir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Makes `dir` read-only for every path lookup from now on (a read-only bind mount over itself), as a remount
 * or a chmod would for a process that is not root; files already open stay writable. Returns the undo.
 */
export async function makeReadOnly(dir: string): Promise<() => Promise<void>> {
  await run('mount', ['--bind', dir, dir]);
  await run('mount', ['-o', 'remount,bind,ro', dir]);
  return async () => void (await run('umount', [dir]));
}

/** A test that mounts file systems: where none can be mounted and CI is not set, a skip that says why. */
export function itWithMount(name: string, test: () => Promise<void>, timeoutMs?: number): void {
  if (mountUnavailable && process.env.CI !== 'true')
    it.skip(`${name} (needs mounts: ${mountUnavailable})`, test);
  else it(name, test, timeoutMs);
}

/**
 * Declares tests that need a tmpfs of their own. Where none can be mounted they show as one skipped test that
 * says why; with CI=true they run, and fail, so that CI never passes by skipping them.
 */
export function describeWithTmpfs(title: string, tests: () => void): void {
  describe(title, () => {
    if (mountUnavailable && process.env.CI !== 'true') {
      it.skip(`needs a tmpfs: ${mountUnavailable}`, () => {});
      return;
    }
    tests();
  });
}
