import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export class DirectoryInUseError extends Error {
  override name = 'DirectoryInUseError';
}

export interface DirLock {
  release(): Promise<void>;
}

const LOCK_FILE = 'glyco.lock';
const heldHere = new Set<string>();

/**
 * Claims a directory for this process with a `glyco.lock` file holding our pid, so two processes never write
 * one embedded database or one spool. A lock left by a process that no longer runs is taken over.
 */
export async function acquireDirLock(dir: string, purpose: string): Promise<DirLock> {
  const path = join(dir, LOCK_FILE);
  if (heldHere.has(path))
    throw new DirectoryInUseError(`${purpose} at ${dir} is already open in this process`);
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (attempt > 0 || isRunningElsewhere(owner)) {
        throw new DirectoryInUseError(`${purpose} at ${dir} is in use by process ${owner || 'unknown'}`);
      }
      await unlink(path).catch(() => {});
    }
  }
  heldHere.add(path);
  return {
    async release() {
      heldHere.delete(path);
      await unlink(path).catch(() => {});
    },
  };
}

/** Our own pid in a lock we do not hold is a previous life of this container (pid 1 after a restart). */
function isRunningElsewhere(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
