import type { ImageReference } from '../image.ts';
import { policyDocument } from './documents.ts';

/**
 * What ECS itself needs to start a task: pull the one image repository and write the one log group.
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
