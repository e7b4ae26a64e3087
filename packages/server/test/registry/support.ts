import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BinaryModelManifest } from '@glyco/contract';
import type { ObjectStore } from '@glyco/registry';
import { MODEL_DIR } from '../support/fixtures.ts';

export {
  BUCKET,
  s3Env,
  startS3,
  temporaryDir,
  writeModelDir,
} from '../../../registry/test/support.ts';

/** The bundled model as another version, in the trainer's output layout; `edit` changes its manifest. */
export async function bundledModelAs(
  root: string,
  version: string,
  edit?: (manifest: BinaryModelManifest) => void,
): Promise<string> {
  const dir = join(root, version);
  await cp(MODEL_DIR, dir, { recursive: true });
  const path = join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(path, 'utf8')) as BinaryModelManifest;
  manifest.version = version;
  edit?.(manifest);
  await writeFile(path, JSON.stringify(manifest, null, 2));
  return dir;
}

/**
 * Resolves once `check` holds, polling every 20 ms; fails naming `what` after `timeoutMs`, a deadline kept under
 * the 30 s hang guard of the tests that wait on it, so that this message is the one that shows.
 */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Points `<name>@<alias>` at `version` by rewriting the alias record directly, as someone with write access to
 * the bucket could: `promote` would verify the version first and refuse a tampered one.
 */
export async function moveAliasByHand(store: ObjectStore, name: string, alias: string, version: string) {
  const key = `${name}/aliases/${alias}.json`;
  const record = JSON.parse(new TextDecoder().decode((await store.read(key))!.body));
  const at = new Date().toISOString();
  const move = { action: 'promote', version, from: record.version, at, by: 'someone', reason: 'by hand' };
  const moved = {
    ...record,
    version,
    previous: record.version,
    updatedAt: at,
    updatedBy: move.by,
    reason: move.reason,
    history: [...record.history, move],
  };
  await store.write(key, new TextEncoder().encode(JSON.stringify(moved)), {
    contentType: 'application/json',
  });
}
