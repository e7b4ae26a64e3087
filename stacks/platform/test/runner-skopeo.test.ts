/**
 * The deploy script pushes the image with `skopeo copy --preserve-digests`, and the deploy action installs skopeo
 * from the runner's own distribution (apt). This holds every runner a deploy job can land on to a skopeo that has
 * the flag: the table below says which distribution each runner image is and which skopeo its package archive
 * gives, each with its source.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RUNNER_IMAGE } from '../src/deploy-runner.ts';

const root = new URL('../../../', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/**
 * `--preserve-digests` came with skopeo 1.6.0: containers/skopeo#1520 ("Add option to preserve digests on copy
 * and sync", merged 2021-12), and the maintainers' answers in containers/skopeo#1761 and #2279 ("That option was
 * added in Skopeo 1.6.0").
 */
const PRESERVE_DIGESTS_SINCE = '1.6.0';

interface Runner {
  distribution: string;
  /** The skopeo that `apt-get install skopeo` gives there (the package's upstream version). */
  skopeo: string;
  sources: string[];
}

/** Each runner a deploy job may run on: the CodeBuild images the platform can use, and GitHub's default runner. */
const RUNNERS: Record<string, Runner> = {
  'aws/codebuild/standard:7.0': {
    distribution: 'Ubuntu 22.04 (jammy)',
    skopeo: '1.4.1',
    sources: [
      'aws/aws-codebuild-docker-images@1590e48 ubuntu/standard/7.0/Dockerfile: FROM public.ecr.aws/ubuntu/ubuntu:22.04, no skopeo',
      'https://docs.aws.amazon.com/codebuild/latest/userguide/available-runtimes.html: "Ubuntu 22.04 Standard: 7.0"',
      'containers/skopeo#1535 (Debian/Ubuntu maintainer, 2022-02-05): skopeo 1.4.1+ds1-1 in jammy/universe; #1646: 22.04 apt gives 1.4.1',
    ],
  },
  'aws/codebuild/standard:8.0': {
    distribution: 'Ubuntu 24.04 (noble)',
    skopeo: '1.13.3',
    sources: [
      'aws/aws-codebuild-docker-images@1590e48 ubuntu/standard/8.0/Dockerfile: FROM public.ecr.aws/ubuntu/ubuntu:24.04, no skopeo',
      'https://docs.aws.amazon.com/codebuild/latest/userguide/available-runtimes.html: "Ubuntu 24.04 Standard: 8.0"',
      'containers/skopeo#2802 (2026-02-15): apt on Ubuntu 24.04 gives 1.13.3+ds1-2ubuntu0.24.04.3',
    ],
  },
  'ubuntu-24.04': {
    distribution: 'Ubuntu 24.04 (noble), GitHub-hosted',
    skopeo: '1.13.3',
    sources: [
      'containers/skopeo#2802: "skopeo is already the newest version (1.13.3+ds1-2ubuntu0.24.04.3)" there',
    ],
  },
};

const atLeast = (version: string, floor: string) => {
  const [a, b] = [version, floor].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if ((a![i] ?? 0) !== (b![i] ?? 0)) return (a![i] ?? 0) > (b![i] ?? 0);
  return true;
};

describe('the skopeo of every deploy runner', () => {
  it('is the tool the deploy script pushes with, with the flag it relies on', () => {
    expect(read('scripts/deploy-environment.sh')).toMatch(/skopeo copy --preserve-digests /);
    expect(read('.github/actions/deploy-environment/action.yml')).toMatch(/apt-get install -y -qq skopeo/);
  });

  it("has --preserve-digests on the platform's CodeBuild runner image", () => {
    const runner = RUNNERS[RUNNER_IMAGE];
    expect(runner, `${RUNNER_IMAGE} is not in the table: add its distribution and skopeo`).toBeDefined();
    expect(atLeast(runner!.skopeo, PRESERVE_DIGESTS_SINCE), `${RUNNER_IMAGE}: skopeo ${runner!.skopeo}`).toBe(
      true,
    );
  });

  it('has --preserve-digests on the GitHub runner the deploy jobs default to', () => {
    const workflow = parse(read('.github/workflows/deploy.yml')) as {
      jobs: Record<string, { 'runs-on': string }>;
    };
    for (const job of ['deploy-dev', 'deploy-prod']) {
      // deploy-dev runs there; deploy-prod does unless PROD_DEPLOY_RUNNER says otherwise.
      const label = /ubuntu-\d+\.\d+/.exec(workflow.jobs[job]!['runs-on'])?.[0];
      expect(label, job).toBeDefined();
      expect(atLeast(RUNNERS[label!]!.skopeo, PRESERVE_DIGESTS_SINCE), `${job} on ${label}`).toBe(true);
    }
  });

  it('tells a too-old skopeo apart: Ubuntu 22.04 lacks the flag', () => {
    expect(atLeast(RUNNERS['aws/codebuild/standard:7.0']!.skopeo, PRESERVE_DIGESTS_SINCE)).toBe(false);
    expect(atLeast('1.6.0', PRESERVE_DIGESTS_SINCE)).toBe(true);
    expect(atLeast('1.10.0', PRESERVE_DIGESTS_SINCE)).toBe(true);
  });
});
