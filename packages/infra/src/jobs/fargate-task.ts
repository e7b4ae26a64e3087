import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { type PolicyDocument, type PolicyStatement, serviceTrustPolicy } from '../iam/documents.ts';
import { taskExecutionPolicy } from '../iam/task-execution.ts';
import type { ImageReference } from '../image.ts';
import type { Tags } from '../naming.ts';
import { runTaskStatements } from './policies.ts';

/** The jobs image's unprivileged user (Dockerfile, stage `jobs`: `USER 10001:10001`, as the serving image). */
export const JOBS_IMAGE_USER = '10001:10001';

/** A task's role name: the platform's model signing key names the job's before the jobs stack makes it. */
export function taskRoleName(family: string): string {
  return `${family}-task`;
}
/** The task's bind mount on /tmp: the image declares /tmp a VOLUME its user may write (see the Dockerfile). */
const SCRATCH_VOLUME = 'tmp';

export interface FargateTaskArgs {
  /** `glyco-<env>-<purpose>`: the task definition family; its roles are `<family>-execution` and `<family>-task`. */
  family: string;
  containerName: string;
  /** The jobs image, pinned by digest; its ENTRYPOINT is the `glyco` CLI. */
  image: ImageReference;
  /** The CLI's arguments; none when each run gives its own (`run-task --overrides`). */
  command?: string[];
  environment: pulumi.Input<Record<string, string>>;
  cpu: number;
  memoryMb: number;
  logGroupName: pulumi.Input<string>;
  logGroupArn: pulumi.Input<string>;
  /** The log stream prefix: streams are `<prefix>/<container>/<task id>`. */
  streamPrefix: string;
  region: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  /** The environment's workload boundary (platform output `workloadBoundaryArn`), on both roles. */
  permissionsBoundary: pulumi.Input<string>;
  /** Everything the command may do in AWS, and nothing more: the task role's one inline policy. */
  taskPolicy: pulumi.Input<PolicyDocument>;
  tags: Tags;
}

/**
 * One Fargate task of the jobs image, started on demand (no service): its task definition (x86_64, non-root,
 * read-only root filesystem with /tmp as scratch, logging to the given group), the execution role ECS starts it
 * with (pull the image, write the log) and the task role the command runs as (the given policy), both bounded.
 */
export class FargateTask extends pulumi.ComponentResource {
  readonly family: string;
  readonly containerName: string;
  /** The deployed revision: `arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>`. */
  readonly taskDefinitionArn: pulumi.Output<string>;
  /** Every revision of the family, as IAM names them for ecs:RunTask (append `:*`). */
  readonly familyArn: pulumi.Output<string>;
  readonly executionRoleArn: pulumi.Output<string>;
  readonly taskRoleArn: pulumi.Output<string>;

  constructor(name: string, args: FargateTaskArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:infra:FargateTask', name, {}, opts);
    const parent = { parent: this };
    const { family, tags } = args;
    const trust = pulumi
      .output(args.accountId)
      .apply((account) => JSON.stringify(serviceTrustPolicy('ecs-tasks.amazonaws.com', account)));
    const role = (roleName: string) =>
      new aws.iam.Role(
        roleName,
        {
          name: roleName,
          assumeRolePolicy: trust,
          permissionsBoundary: args.permissionsBoundary,
          tags,
        },
        parent,
      );
    const execution = role(`${family}-execution`);
    new aws.iam.RolePolicy(
      `${family}-execution`,
      {
        role: execution.id,
        policy: pulumi
          .output(args.logGroupArn)
          .apply((arn) => JSON.stringify(taskExecutionPolicy(args.image, arn))),
      },
      parent,
    );
    const task = role(taskRoleName(family));
    new aws.iam.RolePolicy(
      `${family}-task`,
      { role: task.id, policy: pulumi.jsonStringify(pulumi.output(args.taskPolicy)) },
      parent,
    );

    const definition = new aws.ecs.TaskDefinition(
      family,
      {
        family,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: String(args.cpu),
        memory: String(args.memoryMb),
        // onnxruntime-node ships x86_64 and arm64 binaries, but the image is built for linux/amd64 (deploy.yml).
        runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
        executionRoleArn: execution.arn,
        taskRoleArn: task.arn,
        volumes: [{ name: SCRATCH_VOLUME }],
        containerDefinitions: pulumi
          .all([args.environment, args.logGroupName, args.region])
          .apply(([environment, logGroupName, region]) =>
            JSON.stringify([
              {
                name: args.containerName,
                image: args.image.uri,
                essential: true,
                ...(args.command && { command: args.command }),
                user: JOBS_IMAGE_USER,
                readonlyRootFilesystem: true,
                privileged: false,
                linuxParameters: { initProcessEnabled: true },
                environment: Object.entries(environment)
                  .sort(([a], [b]) => a.localeCompare(b))
                  .map(([variable, value]) => ({ name: variable, value })),
                mountPoints: [{ sourceVolume: SCRATCH_VOLUME, containerPath: '/tmp', readOnly: false }],
                logConfiguration: {
                  logDriver: 'awslogs',
                  options: {
                    'awslogs-group': logGroupName,
                    'awslogs-region': region,
                    'awslogs-stream-prefix': args.streamPrefix,
                  },
                },
              },
            ]),
          ),
        tags,
      },
      parent,
    );

    this.family = family;
    this.containerName = args.containerName;
    this.taskDefinitionArn = definition.arn;
    this.familyArn = definition.arnWithoutRevision;
    this.executionRoleArn = execution.arn;
    this.taskRoleArn = task.arn;
    this.registerOutputs({ taskDefinitionArn: this.taskDefinitionArn });
  }

  /** What whoever starts this task on a cluster needs: RunTask of this family there, and passing its two roles. */
  runTaskGrant(clusterArn: pulumi.Input<string>): pulumi.Output<PolicyStatement[]> {
    return pulumi
      .all([clusterArn, this.familyArn, this.executionRoleArn, this.taskRoleArn])
      .apply(([cluster, family, executionRoleArn, taskRoleArn]) =>
        runTaskStatements({
          clusterArn: cluster,
          taskDefinitionArns: [family],
          roleArns: [executionRoleArn, taskRoleArn],
        }),
      );
  }
}
