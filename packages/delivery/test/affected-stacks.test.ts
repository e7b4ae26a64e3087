import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { affectedStacks } from '../src/affected-stacks/affected-stacks.ts';
import { workspaceRoot } from '../src/paths.ts';

const stacks = { targets: ['ecs', 'eks', 'jobs', 'lambda'] };
const deploy = (...files: string[]) => affectedStacks(files, stacks, { image: true });
const preview = (...files: string[]) => affectedStacks(files, stacks, { image: false });

describe('affectedStacks', () => {
  it('deploys only the target whose stack changed', () => {
    expect(deploy('stacks/ecs/src/service.ts')).toEqual({ platform: false, targets: ['ecs'] });
  });

  it('deploys the platform and then every target when the platform changes', () => {
    expect(deploy('stacks/platform/Pulumi.prod.yaml')).toEqual({
      platform: true,
      targets: ['ecs', 'eks', 'jobs', 'lambda'],
    });
  });

  it('deploys everything when the shared components or the dependencies change', () => {
    for (const file of ['packages/infra/src/naming.ts', 'pnpm-lock.yaml', 'package.json']) {
      expect(deploy(file)).toEqual({ platform: true, targets: ['ecs', 'eks', 'jobs', 'lambda'] });
    }
  });

  it('previews every stack when the contract their programs build the app environment from changes', () => {
    expect(preview('packages/contract/src/settings/app-settings.ts')).toEqual({
      platform: true,
      targets: ['ecs', 'eks', 'jobs', 'lambda'],
    });
  });

  it('previews every stack when the registry layout the targets look their model up by changes', () => {
    expect(preview('packages/registry/src/layout.ts')).toEqual({
      platform: true,
      targets: ['ecs', 'eks', 'jobs', 'lambda'],
    });
    expect(preview('packages/registry/src/publish.ts')).toEqual({ platform: false, targets: [] });
  });

  it('rolls every target to a new image when what the image holds changes, and previews none for it', () => {
    for (const file of [
      'packages/server/src/app.ts',
      'models/pima-diabetes/1.0.1/model.onnx',
      'Dockerfile',
    ]) {
      expect(deploy(file)).toEqual({ platform: false, targets: ['ecs', 'eks', 'jobs', 'lambda'] });
      expect(preview(file)).toEqual({ platform: false, targets: [] });
    }
  });

  it('deploys nothing for documentation or workflow changes', () => {
    expect(deploy('README.md', '.github/workflows/ci.yml', 'data/README.md')).toEqual({
      platform: false,
      targets: [],
    });
  });

  it('deploys only the jobs stack when it changes, and rolls it to a new jobs image with every target', () => {
    expect(deploy('stacks/jobs/Pulumi.prod.yaml')).toEqual({ platform: false, targets: ['jobs'] });
    // The jobs image holds the CLI and the trainer (Dockerfile stage jobs).
    expect(deploy('packages/cli/src/commands/job.ts').targets).toContain('jobs');
  });

  it('finds every Pulumi project under stacks/, the jobs stack included, platform first', () => {
    const cli = join(workspaceRoot, 'packages/delivery/src/affected-stacks/affected-stacks-cli.ts');
    const all = JSON.parse(execFileSync(process.execPath, [cli], { encoding: 'utf8' }));
    expect(all.stacks).toEqual(['platform', 'ecs', 'eks', 'jobs', 'lambda']);
  });

  it('does not mistake a stack whose name is a prefix of another', () => {
    expect(deploy('stacks/eks-extra/index.ts')).toEqual({ platform: false, targets: [] });
  });
});
