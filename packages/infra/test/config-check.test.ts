import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as pulumi from '@pulumi/pulumi';
import { afterEach, describe, expect, it } from 'vitest';
import type { Environment } from '../src/environment.ts';
import { readCommittedSettings } from '../src/target/config-check.ts';
import { readPublicDomain } from '../src/target/public-domain.ts';
import { readWorkloadConfig } from '../src/workload-config.ts';

/** A target's settings as a prod target reads them: the workload's, and a domain prod cannot do without. */
const readTarget = (config: pulumi.Config, env: Environment) => ({
  ...readWorkloadConfig(config),
  domain: readPublicDomain(config, env === 'prod' ? { required: 'prod serves HTTPS' } : {}),
});

const dirs: string[] = [];
/** A stack directory with its Pulumi.yaml and the committed Pulumi.<env>.yaml given. */
function stackDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'glyco-stack-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'Pulumi.yaml'), 'name: glyco-demo\nruntime: nodejs\n');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("a target's committed config, read before the pipeline deploys anything", () => {
  it('is refused as the program refuses it: prod without its domain', () => {
    const dir = stackDir({ 'Pulumi.prod.yaml': 'config:\n  glyco-demo:logLevel: info\n' });
    expect(() =>
      readCommittedSettings({ stackDir: dir, env: 'prod', org: 'acme', read: readTarget }),
    ).toThrow(/Config "domainName" is required: prod serves HTTPS/);
  });

  it('gives the settings the program would read, with the organization and an image the pipeline adds', () => {
    const dir = stackDir({
      'Pulumi.prod.yaml':
        'config:\n  aws:region: eu-west-1\n  glyco-demo:model: pima-diabetes/1.0.0\n' +
        '  glyco-demo:domainName: api.example.com\n  glyco-demo:hostedZoneId: Z0123456789ABCDEFGHIJ\n',
    });
    const settings = readCommittedSettings({ stackDir: dir, env: 'prod', org: 'acme', read: readTarget });
    expect(settings).toMatchObject({
      org: 'acme',
      model: 'pima-diabetes/1.0.0',
      domain: { domainName: 'api.example.com', hostedZone: { id: 'Z0123456789ABCDEFGHIJ' } },
    });
  });

  it('refuses a stack name that is no environment', () => {
    const dir = stackDir({ 'Pulumi.dev.yaml': 'config: {}\n' });
    expect(() =>
      readCommittedSettings({ stackDir: dir, env: 'staging', org: 'acme', read: readTarget }),
    ).toThrow(/Stack "staging" is not a known environment/);
  });
});
