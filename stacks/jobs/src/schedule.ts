import {
  type FargateTask,
  type PlatformReference,
  policyDocument,
  serviceTrustPolicy,
  type Tags,
} from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { JobsSettings } from './settings.ts';

export interface JobScheduleArgs {
  name: (purpose: string) => string;
  tags: Tags;
  platform: PlatformReference;
  clusterArn: pulumi.Input<string>;
  task: FargateTask;
  settings: Pick<JobsSettings, 'schedule' | 'scheduleTimezone' | 'scheduleEnabled'>;
}

/** How often EventBridge Scheduler retries a RunTask call that failed (throttled, no Fargate capacity), and for how long. */
export const RETRY_POLICY = { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 };

/**
 * EventBridge Scheduler starting the job as an ECS RunTask templated target
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-templated.html): at the configured
 * cron in the configured time zone, at that minute (flexible time window OFF), in the platform's private subnets
 * with the workload security group and no public IP. A RunTask call that still fails after the retries goes to
 * a dead-letter queue (https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html), so a
 * missed run is on record; a task that starts and fails is the job's own exit code, in its log.
 * The scheduler's role may start this one task definition family on this cluster, pass its two roles to ECS
 * tasks, and write to the queue; only EventBridge Scheduler acting for this account's schedule group assumes it
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html).
 */
export class JobSchedule extends pulumi.ComponentResource {
  readonly scheduleName: pulumi.Output<string>;
  readonly scheduleArn: pulumi.Output<string>;

  constructor(name: string, args: JobScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:jobs:JobSchedule', name, {}, opts);
    const parent = { parent: this };
    const { name: named, tags, platform, task, settings } = args;

    const groupName = named('jobs');
    const group = new aws.scheduler.ScheduleGroup(groupName, { name: groupName, tags }, parent);
    const deadLetters = new aws.sqs.Queue(
      named('job-dead-letters'),
      {
        name: named('job-dead-letters'),
        sqsManagedSseEnabled: true,
        // The longest SQS keeps a message: two weeks to notice a run that never started.
        messageRetentionSeconds: 1_209_600,
        tags,
      },
      parent,
    );
    const roleName = named('job-scheduler');
    const role = new aws.iam.Role(
      roleName,
      {
        name: roleName,
        assumeRolePolicy: pulumi
          .all([platform.accountId, platform.region])
          .apply(([account, region]) =>
            JSON.stringify(
              serviceTrustPolicy(
                'scheduler.amazonaws.com',
                account,
                `arn:aws:scheduler:${region}:${account}:schedule-group/${groupName}`,
              ),
            ),
          ),
        permissionsBoundary: platform.workloadBoundaryArn,
        tags,
      },
      parent,
    );
    const policy = new aws.iam.RolePolicy(
      roleName,
      {
        role: role.id,
        policy: pulumi
          .all([task.runTaskGrant(args.clusterArn), deadLetters.arn])
          .apply(([runTask, queueArn]) =>
            JSON.stringify(
              policyDocument([
                ...runTask,
                { Sid: 'RecordMissedRuns', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: queueArn },
              ]),
            ),
          ),
      },
      parent,
    );
    const schedule = new aws.scheduler.Schedule(
      named('job'),
      {
        name: named('job'),
        groupName: group.name,
        description: `Glyco's drift check and retrain (${task.family})`,
        scheduleExpression: settings.schedule,
        scheduleExpressionTimezone: settings.scheduleTimezone,
        flexibleTimeWindow: { mode: 'OFF' },
        state: settings.scheduleEnabled ? 'ENABLED' : 'DISABLED',
        target: {
          arn: args.clusterArn,
          roleArn: role.arn,
          ecsParameters: {
            taskDefinitionArn: task.taskDefinitionArn,
            launchType: 'FARGATE',
            taskCount: 1,
            networkConfiguration: {
              subnets: platform.privateSubnetIds,
              securityGroups: [platform.workloadSecurityGroupId],
              assignPublicIp: false,
            },
          },
          retryPolicy: RETRY_POLICY,
          deadLetterConfig: { arn: deadLetters.arn },
        },
      },
      // The role must hold its policy before the first run.
      { ...parent, dependsOn: [policy] },
    );
    this.scheduleName = schedule.name;
    this.scheduleArn = schedule.arn;
    this.registerOutputs({ scheduleName: this.scheduleName });
  }
}
