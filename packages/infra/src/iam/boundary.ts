import type { Environment } from '../environment.ts';
import { SCORING_PREFIX } from '../jobs/policies.ts';
import { apiKeysSecretName, PROJECT, resourceName } from '../naming.ts';
import { MODEL_REGISTRY_PREFIX } from '../workload-config.ts';
import { actionMatches, type PolicyDocument, policyDocument } from './documents.ts';
import { loadBalancerControllerPolicy } from './load-balancer-controller.ts';

/**
 * The roles GitHub Actions assumes, `glyco-<env>-github-deploy` and `glyco-<env>-github-preview`: an
 * administrator creates them, without the workload boundary, and the deploy role may not change them.
 */
export const GITHUB_ROLE_PURPOSES = { deploy: 'github-deploy', preview: 'github-preview' } as const;

/** `glyco-<env>-workload-boundary`: the managed policy every role of the environment's stacks carries. */
export function workloadBoundaryName(env: Environment): string {
  return resourceName(env, 'workload-boundary');
}

/**
 * Actions that give a role permissions: whoever may call them may do so only for a role that carries the
 * environment's boundary (condition `iam:PermissionsBoundary`), or the boundary means nothing.
 */
export const BOUNDED_ROLE_ACTIONS = [
  'iam:CreateRole',
  'iam:PutRolePolicy',
  'iam:AttachRolePolicy',
  'iam:PutRolePermissionsBoundary',
];

export function workloadBoundaryArn(accountId: string, env: Environment): string {
  return `arn:aws:iam::${accountId}:policy/${workloadBoundaryName(env)}`;
}

/**
 * What the AWS Load Balancer Controller may do, as plain actions: its own document scopes them with tag
 * conditions; the boundary only caps the role. IAM actions stay out, apart from the ELB service-linked role below.
 */
function loadBalancerControllerActions(): string[] {
  return loadBalancerControllerPolicy()
    .Statement.flatMap((statement) => statement.Action)
    .filter((action) => !action.startsWith('iam:CreateServiceLinkedRole'));
}

/** Actions AmazonEKSClusterPolicy (v8) grants the cluster role, which AWS maintains. */
const EKS_CLUSTER_ACTIONS = [
  'autoscaling:DescribeAutoScalingGroups',
  'autoscaling:UpdateAutoScalingGroup',
  'ec2:AttachVolume',
  'ec2:CreateRoute',
  'ec2:CreateVolume',
  'ec2:DeleteRoute',
  'ec2:DeleteVolume',
  'ec2:DetachVolume',
  'ec2:ModifyInstanceAttribute',
  'ec2:ModifyVolume',
  'ec2:Describe*',
  'elasticloadbalancing:ApplySecurityGroupsToLoadBalancer',
  'elasticloadbalancing:AttachLoadBalancerToSubnets',
  'elasticloadbalancing:ConfigureHealthCheck',
  'elasticloadbalancing:CreateLoadBalancerListeners',
  'elasticloadbalancing:CreateLoadBalancerPolicy',
  'elasticloadbalancing:DeleteLoadBalancerListeners',
  'elasticloadbalancing:DeregisterInstancesFromLoadBalancer',
  'elasticloadbalancing:DetachLoadBalancerFromSubnets',
  'elasticloadbalancing:RegisterInstancesWithLoadBalancer',
  'elasticloadbalancing:SetLoadBalancerPoliciesForBackendServer',
  'elasticloadbalancing:SetLoadBalancerPoliciesOfListener',
  'elasticloadbalancing:Describe*',
  'kms:DescribeKey',
];

/** ENI management of a Lambda function in a VPC and of EKS (lambdaNetworkInterfacePolicy, AmazonEKSClusterPolicy). */
const NETWORK_INTERFACE_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

/** Pulling images: the app's repository, and the EKS add-ons' (AmazonEKSFargatePodExecutionRolePolicy). */
const IMAGE_PULL_ACTIONS = [
  'ecr:GetAuthorizationToken',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchCheckLayerAvailability',
];

/** Drops duplicates and actions a pattern in the list already covers (a managed policy is at most 6,144 characters). */
function withoutCovered(actions: string[]): string[] {
  const unique = [...new Set(actions)];
  const patterns = unique.filter((action) => action.includes('*'));
  return unique.filter(
    (action) => action.includes('*') || !patterns.some((pattern) => actionMatches(pattern, action)),
  );
}

export interface WorkloadBoundaryArgs {
  accountId: string;
  region: string;
  env: Environment;
  modelBucketArn: string;
  /** The environment's data key: it encrypts the database secret, so only this environment's secret opens. */
  dataKeyArn: string;
}

/**
 * The most any role of one environment's stacks may do (Lambda, ECS task and execution, EKS cluster, Fargate
 * pod execution, IRSA, load balancer controller, RDS Proxy, the CodeBuild deploy runner, the jobs stack's tasks,
 * scheduler and workflow roles): the union of their
 * documents. The deploy role
 * may create roles only with this boundary, so a role it creates never gets IAM (bar handing the environment's
 * roles to ECS tasks), STS or another environment's data, whatever policy it attaches.
 */
export function workloadBoundaryPolicy(args: WorkloadBoundaryArgs): PolicyDocument {
  const prefix = `arn:aws:logs:${args.region}:${args.accountId}:log-group:`;
  const infrastructure = withoutCovered([
    ...IMAGE_PULL_ACTIONS,
    ...NETWORK_INTERFACE_ACTIONS,
    ...EKS_CLUSTER_ACTIONS,
    ...loadBalancerControllerActions(),
  ]);
  return policyDocument([
    {
      Sid: 'ReadModels',
      Effect: 'Allow',
      Action: ['s3:ListBucket', 's3:GetObject'],
      Resource: [args.modelBucketArn, `${args.modelBucketArn}/models/*`],
    },
    {
      // The jobs stack's retrain job publishes versions, runs, datasets, its lock and the alias; the registry
      // never deletes (packages/registry), so no role of the environment may.
      Sid: 'WriteTheRegistry',
      Effect: 'Allow',
      Action: 's3:PutObject',
      Resource: `${args.modelBucketArn}/${MODEL_REGISTRY_PREFIX}/*`,
    },
    {
      // The jobs stack's scoring tasks: their files live under scoring/ of the same bucket.
      Sid: 'ScoreFiles',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
      Resource: `${args.modelBucketArn}/${SCORING_PREFIX}*`,
    },
    {
      // EventBridge Scheduler's role and the jobs workflow's role start the environment's job tasks, watch them
      // and hand their roles to ECS tasks (and to nothing else).
      Sid: 'RunEnvironmentTasks',
      Effect: 'Allow',
      Action: ['ecs:RunTask', 'ecs:DescribeTasks', 'ecs:StopTask', 'scheduler:GetSchedule'],
      Resource: [
        `arn:aws:ecs:${args.region}:${args.accountId}:task-definition/${PROJECT}-${args.env}-*`,
        `arn:aws:ecs:${args.region}:${args.accountId}:task/${PROJECT}-${args.env}-*`,
        `arn:aws:scheduler:${args.region}:${args.accountId}:schedule/${PROJECT}-${args.env}-*`,
      ],
    },
    // No resource-level permission exists for it (Service Authorization Reference, Amazon ECS).
    { Sid: 'ReadTaskDefinitions', Effect: 'Allow', Action: 'ecs:DescribeTaskDefinition', Resource: '*' },
    {
      Sid: 'PassEnvironmentRolesToEcsTasks',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: `arn:aws:iam::${args.accountId}:role/${PROJECT}-${args.env}-*`,
      Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    },
    {
      // A schedule's dead-letter queue, which the scheduler's role writes to.
      Sid: 'SendToEnvironmentQueues',
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Resource: `arn:aws:sqs:${args.region}:${args.accountId}:${PROJECT}-${args.env}-*`,
    },
    {
      // RDS names its managed secrets rds!db-<id>; the key below opens only this environment's.
      Sid: 'ReadDatabaseSecret',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: `arn:aws:secretsmanager:${args.region}:${args.accountId}:secret:rds!db-*`,
    },
    {
      // The platform's API keys secret; Secrets Manager appends six random characters to a secret's name.
      Sid: 'ReadApiKeysSecret',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: `arn:aws:secretsmanager:${args.region}:${args.accountId}:secret:${apiKeysSecretName(args.env)}-*`,
    },
    { Sid: 'DecryptDatabaseSecret', Effect: 'Allow', Action: 'kms:Decrypt', Resource: args.dataKeyArn },
    {
      // The eks stack's secrets key (envelope encryption of Kubernetes secrets), which the cluster role uses,
      // and the model signing key, with which the retrain job signs its challengers (who signs is that key's
      // policy, which denies every other role; a boundary only must not cut the job's grant: IAM User Guide,
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html). Their ARNs are unknown
      // here, so the keys are recognised by the environment's tags (KMS ABAC:
      // https://docs.aws.amazon.com/kms/latest/developerguide/abac.html).
      Sid: 'UseTheEnvironmentsKeys',
      Effect: 'Allow',
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ListGrants', 'kms:DescribeKey', 'kms:Sign'],
      Resource: `arn:aws:kms:${args.region}:${args.accountId}:key/*`,
      Condition: {
        StringEquals: { 'aws:ResourceTag/project': PROJECT, 'aws:ResourceTag/environment': args.env },
      },
    },
    {
      // /aws/lambda/glyco-<env>-…, /ecs/glyco-<env>-…, /aws/eks/glyco-<env>-eks/…, /jobs/glyco-<env>-…; the
      // jobs workflow reads its job's last lines.
      Sid: 'WriteEnvironmentLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:GetLogEvents'],
      Resource: `${prefix}/*${PROJECT}-${args.env}-*`,
    },
    { Sid: 'RunInfrastructure', Effect: 'Allow', Action: infrastructure, Resource: '*' },
    {
      // The CodeBuild deploy runner attaching to the private subnets: CodeBuild's VPC permissions,
      // https://docs.aws.amazon.com/codebuild/latest/userguide/auth-and-access-control-iam-identity-based-access-control.html#customer-managed-policies-example-create-vpc-network-interface
      Sid: 'AttachCodeBuildToTheVpc',
      Effect: 'Allow',
      Action: 'ec2:CreateNetworkInterfacePermission',
      Resource: `arn:aws:ec2:${args.region}:${args.accountId}:network-interface/*`,
      Condition: { StringEquals: { 'ec2:AuthorizedService': 'codebuild.amazonaws.com' } },
    },
    {
      // ... and reading GitHub tokens from the account's connection (CodeConnections, formerly CodeStar):
      // https://docs.aws.amazon.com/codebuild/latest/userguide/connections-github-app.html
      Sid: 'UseGithubConnections',
      Effect: 'Allow',
      Action: [
        'codeconnections:GetConnectionToken',
        'codeconnections:GetConnection',
        'codestar-connections:GetConnectionToken',
        'codestar-connections:GetConnection',
      ],
      Resource: [
        `arn:aws:codeconnections:${args.region}:${args.accountId}:connection/*`,
        `arn:aws:codestar-connections:${args.region}:${args.accountId}:connection/*`,
      ],
    },
    {
      Sid: 'CreateElbServiceLinkedRole',
      Effect: 'Allow',
      Action: 'iam:CreateServiceLinkedRole',
      Resource: '*',
      Condition: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
    },
  ]);
}
