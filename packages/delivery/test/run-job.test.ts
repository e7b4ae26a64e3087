import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspaceRoot } from '../src/paths.ts';

const CLUSTER = 'arn:aws:ecs:eu-west-1:123456789012:cluster/glyco-prod-jobs';
const TASK_DEFINITION = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/glyco-prod-job:7';
const TASK = 'arn:aws:ecs:eu-west-1:123456789012:task/glyco-prod-jobs/0123456789abcdef';
const RESULT = {
  drift: { model: { name: 'pima-diabetes', version: '1.1.0' }, drifted: ['glucose'], features: [] },
  retrain: {
    run: { id: 'r1', decision: 'not-promoted', reason: 'the challenger is not better' },
    uri: 's3://b/r1',
  },
  exitCode: 3,
};

/** What `aws scheduler get-schedule … --query Target` answers for the jobs stack's schedule (Scheduler API shape). */
const TARGET = {
  Arn: CLUSTER,
  RoleArn: 'arn:aws:iam::123456789012:role/glyco-prod-job-scheduler',
  EcsParameters: {
    TaskDefinitionArn: TASK_DEFINITION,
    LaunchType: 'FARGATE',
    NetworkConfiguration: {
      awsvpcConfiguration: {
        Subnets: ['subnet-a', 'subnet-b'],
        SecurityGroups: ['sg-workload'],
        AssignPublicIp: 'DISABLED',
      },
    },
  },
};
const CONTAINER = {
  name: 'glyco',
  command: [
    'job',
    'pima-diabetes',
    '--registry',
    's3://b/models',
    '--alias',
    'production',
    '--retrain',
    'on-drift',
    '--since',
    '7d',
    '--json',
  ],
  logConfiguration: {
    logDriver: 'awslogs',
    options: {
      'awslogs-group': '/jobs/glyco-prod-jobs',
      'awslogs-region': 'eu-west-1',
      'awslogs-stream-prefix': 'job',
    },
  },
};

interface Scenario {
  runTask?: object;
  /** The task as DescribeTasks reports it once stopped. */
  stopped?: object;
  logLines?: string[];
  /** What each `aws ecs wait tasks-stopped` does in turn (default: the task has stopped). */
  waits?: ('stopped' | 'timed-out' | 'denied')[];
}

/**
 * A stand-in `aws` answering the calls run-job.sh makes with what each call's `--query` selects (the whole answer
 * for run-task), recording each call's arguments (one JSON array a line).
 */
async function runJob(args: string[], scenario: Scenario = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'glyco-run-job-'));
  const calls = join(dir, 'calls.log');
  writeFileSync(calls, '');
  const answers = {
    'scheduler get-schedule': TARGET,
    'ecs describe-task-definition': CONTAINER,
    'ecs run-task': scenario.runTask ?? { tasks: [{ taskArn: TASK }], failures: [] },
    'ecs describe-tasks': scenario.stopped ?? {
      lastStatus: 'STOPPED',
      stoppedReason: 'Essential container in task exited',
      containers: [{ name: 'glyco', exitCode: 3 }],
    },
    'logs get-log-events': (
      scenario.logLines ?? [
        '{"level":30,"msg":"job: drift report of pima-diabetes 1.1.0"}',
        'job: retraining',
        JSON.stringify(RESULT),
      ]
    ).map((message) => ({ timestamp: 1, message })),
  };
  for (const [command, answer] of Object.entries(answers)) {
    writeFileSync(join(dir, command.replace(' ', '_')), JSON.stringify(answer));
  }
  writeFileSync(
    join(dir, 'aws'),
    `#!/bin/sh
node -e 'process.stdout.write(JSON.stringify(process.argv.slice(1)) + "\\n")' -- "$@" >> '${calls}'
case "$1 $2" in
  "ecs wait")
    outcome=$(head -n 1 '${dir}/waits'); sed -i 1d '${dir}/waits'
    case "$outcome" in
      timed-out) echo 'Waiter TasksStopped failed: Max attempts exceeded' >&2; exit 255 ;;
      denied) echo 'An error occurred (AccessDeniedException) when calling the DescribeTasks operation' >&2; exit 254 ;;
    esac ;;
  *) cat '${dir}/'"$1_$2" ;;
esac
`,
  );
  writeFileSync(join(dir, 'waits'), (scenario.waits ?? ['stopped']).join('\n'));
  chmodSync(join(dir, 'aws'), 0o755);
  const child = spawn(join(workspaceRoot, 'scripts/run-job.sh'), args, {
    env: { PATH: `${dir}:${process.env.PATH}`, GITHUB_RUN_ID: '42' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const made = readFileSync(calls, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as string[]);
  return { status, stdout, stderr, calls: made };
}

const option = (call: string[] | undefined, flag: string) => call?.[call.indexOf(flag) + 1];

describe('scripts/run-job.sh', () => {
  it("starts the job as its schedule does, with the policy asked for, and prints the job's JSON and exit code", async () => {
    const run = await runJob(['prod', '--retrain', 'always']);
    expect(run.status, run.stderr).toBe(3);
    expect(JSON.parse(run.stdout)).toEqual(RESULT);
    const get = run.calls.find((call) => call[1] === 'get-schedule');
    expect([option(get, '--group-name'), option(get, '--name')]).toEqual([
      'glyco-prod-jobs',
      'glyco-prod-job',
    ]);
    const start = run.calls.find((call) => call[1] === 'run-task');
    expect(option(start, '--cluster')).toBe(CLUSTER);
    expect(option(start, '--task-definition')).toBe(TASK_DEFINITION);
    expect(option(start, '--launch-type')).toBe('FARGATE');
    expect(JSON.parse(option(start, '--network-configuration')!)).toEqual({
      awsvpcConfiguration: {
        subnets: ['subnet-a', 'subnet-b'],
        securityGroups: ['sg-workload'],
        assignPublicIp: 'DISABLED',
      },
    });
    expect(JSON.parse(option(start, '--overrides')!)).toEqual({
      containerOverrides: [
        { name: 'glyco', command: [...CONTAINER.command.slice(0, 7), 'always', '--since', '7d', '--json'] },
      ],
    });
    expect(option(start, '--started-by')).toBe('github-42');
    const log = run.calls.find((call) => call[1] === 'get-log-events');
    expect([option(log, '--log-group-name'), option(log, '--log-stream-name')]).toEqual([
      '/jobs/glyco-prod-jobs',
      'job/glyco/0123456789abcdef',
    ]);
    expect(run.stderr).toMatch(/::warning::.*exited 3.*not-promoted: the challenger is not better/);
  });

  it('keeps the scheduled command when no policy is given', async () => {
    const run = await runJob(['prod']);
    const start = run.calls.find((call) => call[1] === 'run-task');
    expect(JSON.parse(option(start, '--overrides')!).containerOverrides[0].command).toEqual(
      CONTAINER.command,
    );
  });

  it('fails with ECS’s reason when the task never ran its command', async () => {
    const run = await runJob(['prod'], {
      stopped: {
        lastStatus: 'STOPPED',
        stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)',
        containers: [{ name: 'glyco' }],
      },
      logLines: [],
    });
    expect(run.status).toBe(70);
    expect(run.stderr).toMatch(/::error::.*CannotPullContainerError/);
  });

  it('fails with the placement failure when ECS starts no task', async () => {
    const run = await runJob(['prod'], {
      runTask: { tasks: [], failures: [{ arn: CLUSTER, reason: 'RESOURCE:CPU' }] },
    });
    expect(run.status).toBe(70);
    expect(run.stderr).toMatch(/::error::.*RESOURCE:CPU/);
    expect(run.calls.some((call) => call[1] === 'wait')).toBe(false);
  });

  it('fails when the job exited without its JSON line (it crashed before the end)', async () => {
    const run = await runJob(['prod'], {
      stopped: { lastStatus: 'STOPPED', containers: [{ name: 'glyco', exitCode: 1 }] },
      logLines: ['FATAL: out of memory'],
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/::error::.*exited 1.*no JSON result/);
    expect(run.stdout).toBe('');
  });

  it("waits past the CLI waiter's ten minutes, and stops the task when it cannot watch it", async () => {
    const long = await runJob(['prod'], { waits: ['timed-out', 'timed-out', 'stopped'] });
    expect(long.status, long.stderr).toBe(3);
    expect(long.calls.filter((call) => call[1] === 'wait')).toHaveLength(3);
    const denied = await runJob(['prod'], { waits: ['denied'] });
    expect(denied.status).toBe(70);
    expect(denied.stderr).toMatch(/::error::waiting for .* failed: .*AccessDeniedException/);
    expect(denied.calls.find((call) => call[1] === 'stop-task')).toEqual(
      expect.arrayContaining(['--task', TASK]),
    );
  });

  it('refuses a bad environment or policy before calling AWS', async () => {
    for (const args of [['staging'], ['prod', '--retrain', 'sometimes'], []]) {
      const run = await runJob(args);
      expect(run.status).toBe(64);
      expect(run.calls).toEqual([]);
    }
  });
});
