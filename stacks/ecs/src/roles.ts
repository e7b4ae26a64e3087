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

export function taskRoles(args: {
  name: (purpose: string) => string;
  tags: Tags;
  image: ImageReference;
  logGroup: aws.cloudwatch.LogGroup;
  platform: PlatformReference;
}) {
  const { name, tags, platform } = args;
  const trust = platform.accountId.apply((account) =>
    JSON.stringify(serviceTrustPolicy('ecs-tasks.amazonaws.com', account)),
  );
  const execution = new aws.iam.Role(name('ecs-execution'), {
    name: name('ecs-execution'),
    assumeRolePolicy: trust,
    permissionsBoundary: platform.workloadBoundaryArn,
    tags,
  });
  new aws.iam.RolePolicy(name('ecs-execution'), {
    role: execution.id,
    policy: args.logGroup.arn.apply((arn) => JSON.stringify(taskExecutionPolicy(args.image, arn))),
  });
  const task = new WorkloadRole(name('ecs-task'), {
    roleName: name('ecs-task'),
    assumeRolePolicy: trust,
    permissionsBoundary: platform.workloadBoundaryArn,
    appAccess: appAccessOf(platform),
    tags,
  });
  return { executionRoleArn: execution.arn, taskRoleArn: task.roleArn };
}
