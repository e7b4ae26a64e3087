import {
  appAccessOf,
  type ImageReference,
  type PlatformReference,
  policyDocument,
  serviceTrustPolicy,
  type Tags,
  WorkloadRole,
} from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

/**
 * What ECS itself needs to start the task: pull the one image repository and write the one log group.
 * (AmazonECSTaskExecutionRolePolicy would grant every repository and every log group.)
 */
export function taskExecutionPolicy(image: ImageReference, logGroupArn: string) {
  const repositoryArn = `arn:aws:ecr:${image.region}:${image.accountId}:repository/${image.repository}`;
  return policyDocument([
    // GetAuthorizationToken has no resource-level permissions.
    { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    {
      Sid: 'PullAppImage',
      Effect: 'Allow',
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      Resource: repositoryArn,
    },
    {
      Sid: 'WriteLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: [logGroupArn, `${logGroupArn}:log-stream:*`],
    },
  ]);
}

export interface TaskRolesArgs {
  name: (purpose: string) => string;
  tags: Tags;
  image: ImageReference;
  logGroupArn: pulumi.Input<string>;
  platform: PlatformReference;
}

/** The task's two roles: ECS's own (pull the image, write logs) and the app's (read its model and secret). */
export class TaskRoles extends pulumi.ComponentResource {
  readonly executionRoleArn: pulumi.Output<string>;
  readonly taskRoleArn: pulumi.Output<string>;

  constructor(name: string, args: TaskRolesArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:ecs:TaskRoles', name, {}, opts);
    const parent = { parent: this };
    const { platform, tags } = args;
    const trust = platform.accountId.apply((account) =>
      JSON.stringify(serviceTrustPolicy('ecs-tasks.amazonaws.com', account)),
    );
    const execution = new aws.iam.Role(
      args.name('ecs-execution'),
      {
        name: args.name('ecs-execution'),
        assumeRolePolicy: trust,
        permissionsBoundary: platform.workloadBoundaryArn,
        tags,
      },
      parent,
    );
    new aws.iam.RolePolicy(
      args.name('ecs-execution'),
      {
        role: execution.id,
        policy: pulumi
          .output(args.logGroupArn)
          .apply((arn) => JSON.stringify(taskExecutionPolicy(args.image, arn))),
      },
      parent,
    );
    const task = new WorkloadRole(
      args.name('ecs-task'),
      {
        roleName: args.name('ecs-task'),
        assumeRolePolicy: trust,
        permissionsBoundary: platform.workloadBoundaryArn,
        appAccess: appAccessOf(platform),
        tags,
      },
      parent,
    );
    this.executionRoleArn = execution.arn;
    this.taskRoleArn = task.roleArn;
    this.registerOutputs({ executionRoleArn: this.executionRoleArn, taskRoleArn: this.taskRoleArn });
  }
}
