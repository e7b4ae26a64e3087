import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { workspaceRoot } from '../src/paths.ts';
import { actionlint } from '../src/pipeline-lint/actionlint.ts';
import { checkCompositeAction, checkWorkflow } from '../src/pipeline-lint/workflow-policy.ts';

/** A GitHub Actions expression, `${{ inner }}`. */
const expression = (inner: string) => `\${{ ${inner} }}`;

function filesUnder(dir: string, pick: (name: string) => boolean) {
  return readdirSync(join(workspaceRoot, dir), { recursive: true, encoding: 'utf8' })
    .filter(pick)
    .map((name) => ({ file: `${dir}/${name}`, text: readFileSync(join(workspaceRoot, dir, name), 'utf8') }));
}

const workflows = filesUnder('.github/workflows', (name) => /\.ya?ml$/.test(name));
const compositeActions = filesUnder('.github/actions', (name) => /(^|\/)action\.ya?ml$/.test(name));

describe('the GitHub Actions workflows', () => {
  it('are CI on pull requests, deploy on merge, and the scheduled drift report and retrain job', () => {
    const triggers = Object.fromEntries(
      workflows.map(({ file, text }) => [file, Object.keys((parse(text) as { on: object }).on)]),
    );
    expect(triggers).toEqual({
      '.github/workflows/ci.yml': ['pull_request'],
      '.github/workflows/deploy.yml': ['push', 'workflow_dispatch'],
      '.github/workflows/drift.yml': ['schedule', 'workflow_dispatch'],
      '.github/workflows/retrain.yml': ['schedule', 'workflow_dispatch'],
    });
  });

  it.each(workflows)('$file passes actionlint', async ({ file, text }) => {
    expect(await actionlint(file, text)).toEqual([]);
  });

  it.each(workflows)('$file meets the security policy', ({ file, text }) => {
    expect(checkWorkflow(file, text)).toEqual([]);
  });

  it.each(compositeActions)('$file pins its actions and holds no AWS keys', ({ file, text }) => {
    expect(checkCompositeAction(file, text)).toEqual([]);
  });

  it('deploy builds once, then deploys dev, then prod behind its environment, each with its own role', () => {
    const deploy = parse(workflows.find(({ file }) => file.endsWith('deploy.yml'))!.text) as {
      jobs: Record<string, { needs?: string[]; environment?: { name: string }; steps: { with?: object }[] }>;
    };
    const { 'deploy-dev': dev, 'deploy-prod': prod } = deploy.jobs;
    expect(dev?.needs).toContain('image');
    expect(prod?.needs).toContain('deploy-dev');
    expect(dev?.environment?.name).toBe('dev');
    expect(prod?.environment?.name).toBe('prod');
    const role = (job: typeof dev) =>
      job?.steps.map((step) => step.with).find((w) => w && 'role-to-assume' in w);
    expect(role(dev)).toMatchObject({
      environment: 'dev',
      'role-to-assume': expression('vars.AWS_ROLE_ARN_DEV'),
    });
    expect(role(prod)).toMatchObject({
      environment: 'prod',
      'role-to-assume': expression('vars.AWS_ROLE_ARN_PROD'),
    });
  });
});

type Step = {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
};
type Job = {
  environment?: string | { name: string };
  'runs-on'?: string;
  needs?: string[];
  permissions?: Record<string, string>;
  steps: Step[];
};
const workflow = (name: string) =>
  parse(workflows.find(({ file }) => file.endsWith(`/${name}`))!.text) as {
    on: Record<string, unknown>;
    jobs: Record<string, Job>;
  };

describe('the jobs image in the deploy', () => {
  const deploy = workflow('deploy.yml');

  it('builds the jobs target beside the serving image, once, as an OCI archive of one manifest', () => {
    const builds = deploy.jobs.image!.steps.filter((step) =>
      step.uses?.startsWith('docker/build-push-action@'),
    );
    expect(builds.map((step) => [step.with?.target, step.with?.provenance, step.with?.outputs])).toEqual([
      [undefined, false, `type=oci,dest=${expression('runner.temp')}/image.tar`],
      ['jobs', false, `type=oci,dest=${expression('runner.temp')}/jobs-image.tar`],
    ]);
  });

  it('hands both archives to each environment, where the jobs stack gets the jobs image', () => {
    for (const id of ['deploy-dev', 'deploy-prod']) {
      const step = deploy.jobs[id]!.steps.find((s) => s.uses === './.github/actions/deploy-environment');
      expect(step?.with).toBeDefined();
    }
    const action = parse(
      compositeActions.find(({ file }) => file.endsWith('deploy-environment/action.yml'))!.text,
    ) as { runs: { steps: Step[] } };
    const deployStep = action.runs.steps.find((step) => step.run?.includes('scripts/deploy-environment.sh'));
    expect(deployStep?.env?.JOBS_IMAGE_ARCHIVE).toBe(`${expression('runner.temp')}/image/jobs-image.tar`);
  });
});

describe('the jobs workflows (retrain and drift)', () => {
  const retrain = workflow('retrain.yml');
  const drift = workflow('drift.yml');

  it('retrain takes the model environment and the retrain policy by hand, and runs on a schedule', () => {
    const dispatch = (retrain.on.workflow_dispatch as { inputs: Record<string, { options?: string[] }> })
      .inputs;
    expect(dispatch.retrain?.options).toEqual(['on-drift', 'always', 'never']);
    expect(dispatch.environment?.options).toEqual(['prod', 'dev']);
    expect(retrain.on.schedule).toEqual([{ cron: expect.any(String) }]);
  });

  it.each([
    ['retrain.yml', retrain],
    ['drift.yml', drift],
  ])(
    '%s assumes the jobs role in a jobs environment on a GitHub runner, and starts the job with scripts/run-job.sh',
    (_, flow) => {
      const [job] = Object.values(flow.jobs);
      expect(job!['runs-on']).toBe('ubuntu-24.04');
      expect(JSON.stringify(job!.environment)).toMatch(/jobs/);
      const credentials = job!.steps.find((step) =>
        step.uses?.startsWith('aws-actions/configure-aws-credentials@'),
      );
      expect(credentials?.with?.['role-to-assume']).toBe(expression('vars.AWS_JOBS_ROLE_ARN'));
      expect(job!.steps.some((step) => step.run?.includes('scripts/run-job.sh'))).toBe(true);
    },
  );

  it('drift needs no database URL and no runner inside the VPC: the job reads the log inside AWS', () => {
    const text = workflows.find(({ file }) => file.endsWith('/drift.yml'))!.text;
    expect(text).not.toMatch(/DRIFT_DATABASE_URL|DRIFT_RUNNER|DATABASE_URL/);
    const [job] = Object.values(drift.jobs);
    const run = job!.steps.map((step) => step.run ?? '').join('\n');
    expect(run).toMatch(/scripts\/run-job\.sh .*--retrain on-drift/);
    expect(run).toMatch(/scripts\/drift-issue\.sh/);
  });
});

describe('the prod deploy runner', () => {
  const deploy = parse(workflows.find(({ file }) => file.endsWith('deploy.yml'))!.text) as {
    jobs: Record<string, { 'runs-on': string }>;
  };

  it('is PROD_DEPLOY_RUNNER: a CodeBuild runner label gets the run id and attempt CodeBuild routes by, else GitHub', () => {
    // AWS CodeBuild User Guide, label overrides: "codebuild-<project-name>-${{ github.run_id }}-${{ github.run_attempt }}".
    expect(deploy.jobs['deploy-prod']?.['runs-on']).toBe(
      expression(
        "startsWith(vars.PROD_DEPLOY_RUNNER, 'codebuild-') && format('{0}-{1}-{2}', vars.PROD_DEPLOY_RUNNER, github.run_id, github.run_attempt) || vars.PROD_DEPLOY_RUNNER || 'ubuntu-24.04'",
      ),
    );
    expect(deploy.jobs['deploy-dev']?.['runs-on']).toBe('ubuntu-24.04');
  });
});

describe('pull-request previews', () => {
  const ci = parse(workflows.find(({ file }) => file.endsWith('ci.yml'))!.text) as {
    jobs: Record<
      string,
      { environment?: unknown; steps: { uses?: string; with?: Record<string, unknown> }[] }
    >;
  };

  it('assume the read-only preview role, in no GitHub environment (its trust is repo:<owner>/<repo>:pull_request)', () => {
    const preview = ci.jobs.preview!;
    expect(preview.environment).toBeUndefined();
    const credentials = preview.steps.find((step) =>
      step.uses?.startsWith('aws-actions/configure-aws-credentials@'),
    );
    expect(credentials?.with?.['role-to-assume']).toBe(expression('vars.AWS_PREVIEW_ROLE_ARN_DEV'));
  });
});

describe('actionlint', () => {
  it('reports what GitHub would reject or run wrongly', async () => {
    const broken = `on: push
jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - run: echo \${{ steps.missing.outputs.value }}
      - run: echo \${{ matrix.os }}
`;
    const findings = await actionlint('broken.yml', broken);
    expect(findings.join('\n')).toMatch(/property "missing" is not defined/);
    expect(findings.join('\n')).toMatch(/property "os" is not defined/);
  });
});

/** A workflow that meets every rule; each case below breaks exactly one. */
const COMPLIANT = `on:
  push:
    branches: [main]
permissions:
  contents: read
concurrency:
  group: deploy
  cancel-in-progress: false
jobs:
  deploy:
    runs-on: ubuntu-24.04
    environment: prod
    permissions:
      contents: read
      id-token: write
    steps:
      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0
        with:
          persist-credentials: false
      - uses: aws-actions/configure-aws-credentials@a03048d87541d1d9fcf2ecf528a4a65ba9bd7838 # v5.0.0
        with:
          role-to-assume: \${{ vars.AWS_ROLE_ARN_PROD }}
          aws-region: eu-west-1
      - run: echo deploying
`;

describe('the workflow security policy', () => {
  const rulesBroken = (text: string) => checkWorkflow('fixture.yml', text).map((violation) => violation.rule);

  it('accepts the compliant fixture', () => {
    expect(checkWorkflow('fixture.yml', COMPLIANT)).toEqual([]);
  });

  it.each([
    [
      'static keys instead of OIDC',
      'oidc-only',
      (t: string) =>
        t.replace(`role-to-assume: ${expression('vars.AWS_ROLE_ARN_PROD')}`, 'aws-access-key-id: x'),
    ],
    [
      'a key id in the text',
      'oidc-only',
      (t: string) => t.replace('echo deploying', 'echo AKIAIOSFODNN7EXAMPLE'),
    ],
    [
      'AWS credentials without id-token: write',
      'oidc-only',
      (t: string) => t.replace('id-token: write', 'actions: read'),
    ],
    [
      'an action pinned by tag',
      'pinned-actions',
      (t: string) => t.replace(/checkout@\w+ # v5.0.0/, 'checkout@v5'),
    ],
    ['a pin without its version', 'pinned-actions', (t: string) => t.replace(' # v5.0.0', '')],
    [
      'no workflow permissions',
      'least-permissions',
      (t: string) => t.replace('permissions:\n  contents: read\n', ''),
    ],
    [
      'write-all',
      'least-permissions',
      (t: string) => t.replace('permissions:\n  contents: read', 'permissions: write-all'),
    ],
    [
      'a workflow-level write',
      'least-permissions',
      (t: string) => t.replace('  contents: read\nconc', '  contents: write\nconc'),
    ],
    [
      'a job with default permissions',
      'least-permissions',
      (t: string) => t.replace(/ {4}permissions:\n.*\n.*\n/, ''),
    ],
    [
      'a write no step needs',
      'least-permissions',
      (t: string) => t.replace('id-token: write', 'id-token: write\n      issues: write'),
    ],
    [
      'a prod role outside the prod environment',
      'prod-gated',
      (t: string) => t.replace('environment: prod', 'environment: dev'),
    ],
    [
      'event data in a script',
      'no-script-injection',
      (t: string) => t.replace('echo deploying', `echo ${expression('github.event.head_commit.message')}`),
    ],
    [
      'pull_request_target',
      'no-pull-request-target',
      (t: string) => t.replace('  push:', '  pull_request_target:\n  push:'),
    ],
    [
      'a persisted checkout token',
      'no-persisted-token',
      (t: string) => t.replace('persist-credentials: false', 'fetch-depth: 0'),
    ],
    [
      'a deploy role in a pull-request workflow',
      'previews-read-only',
      (t: string) => t.replace('  push:\n    branches: [main]', '  pull_request:'),
    ],
    [
      'deploys that may overlap',
      'serial-deploys',
      (t: string) => t.replace('cancel-in-progress: false', 'cancel-in-progress: true'),
    ],
  ])('rejects %s (%s)', (_, rule, breakIt) => {
    const broken = breakIt(COMPLIANT);
    expect(broken).not.toBe(COMPLIANT);
    expect(rulesBroken(broken)).toContain(rule);
  });

  it('reports a file that is not YAML instead of failing', () => {
    expect(rulesBroken('jobs: [unclosed')).toEqual(['yaml']);
  });

  it('checks composite actions for pins and keys', () => {
    const action = `runs:
  using: composite
  steps:
    - uses: aws-actions/configure-aws-credentials@v5
      with:
        aws-secret-access-key: x
`;
    expect(checkCompositeAction('action.yml', action).map((violation) => violation.rule)).toEqual([
      'oidc-only',
      'pinned-actions',
      'oidc-only',
    ]);
  });
});
