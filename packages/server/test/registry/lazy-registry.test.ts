import { execFile } from 'node:child_process';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openRegistry, promote } from '@glyco/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST, MODEL_DIR } from '../support/fixtures.ts';
import { temporaryDir } from './support.ts';

const SCRIPT = join(import.meta.dirname, 'fixtures', 'registry-modules-at-startup.ts');

async function importedAtStartup(modelUri?: string): Promise<string[]> {
  const args = modelUri ? [SCRIPT, modelUri] : [SCRIPT];
  const { stdout } = await promisify(execFile)(process.execPath, args, { timeout: 20_000 });
  return JSON.parse(stdout);
}

let scratch: Awaited<ReturnType<typeof temporaryDir>>;
beforeAll(async () => {
  scratch = await temporaryDir('lazy-registry');
});
afterAll(() => scratch.remove());

describe('startup cost of the registry', () => {
  it('is not paid by a server of a local model: neither @glyco/registry nor the AWS SDK is imported', async () => {
    expect(await importedAtStartup()).toEqual([]);
  }, 20_000);

  it('is paid once MODEL_URI names a registry alias', async () => {
    const registry = join(scratch.dir, 'registry');
    await cp(MODEL_DIR, join(registry, MANIFEST.name, MANIFEST.version), { recursive: true });
    await promote(openRegistry(registry), {
      name: MANIFEST.name,
      version: MANIFEST.version,
      alias: 'production',
    });
    const imported = await importedAtStartup(`${registry}/${MANIFEST.name}@production`);
    expect(imported).toContain('@glyco/registry');
    expect(imported).toContain('@aws-sdk/client-s3');
  }, 20_000);
});
