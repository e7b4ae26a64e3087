import {
  appAccessOf,
  type ImageReference,
  type PlatformReference,
  serviceTrustPolicy,
  type Tags,
  taskExecutionPolicy,
  WorkloadRole,
} from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

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
