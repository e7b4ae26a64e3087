import {
  BOUNDED_ROLE_ACTIONS,
  type Environment,
  GITHUB_ROLE_PURPOSES,
  type PolicyDocument,
  PROJECT,
  policyDocument,
  resourceName,
  workloadBoundaryArn,
} from '@glyco/infra';
import { GITHUB_OIDC_HOST } from './github-trust.ts';

/**
 * The services the stacks hand their roles to: Lambda, ECS tasks, EKS (cluster and Fargate pods), RDS Proxy,
 * CodeBuild (the deploy runner) and EventBridge Scheduler (the jobs stack's schedule: CreateSchedule passes the
 * target's role, https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role).
 */
export const PASS_ROLE_SERVICES = [
  'lambda.amazonaws.com',
  'ecs-tasks.amazonaws.com',
  'eks.amazonaws.com',
  'eks-fargate-pods.amazonaws.com',
  'rds.amazonaws.com',
  'codebuild.amazonaws.com',
  'scheduler.amazonaws.com',
];

/**
 * IAM rights the GitHub deploy role needs on top of the AWS-managed PowerUserAccess (which excludes IAM).
 * It manages `glyco-<env>-*` roles, but may give one permissions only with the environment's permissions
 * boundary on it, so no role it creates or changes can do more than the boundary; it may not remove a
 * boundary, change the boundary policy, or change its own role or the preview role; and it passes roles only to the stacks'
 * services. (Without the boundary condition it could attach AdministratorAccess to a role it can assume,
 * itself included, since `glyco-<env>-*` matches `glyco-<env>-github-deploy`.)
 */
export function deployIamPolicy(args: {
  accountId: string;
  env: Environment;
  region: string;
}): PolicyDocument {
  const roles = `arn:aws:iam::${args.accountId}:role/${PROJECT}-${args.env}-*`;
  const pipelineRoles = Object.values(GITHUB_ROLE_PURPOSES).map(
    (purpose) => `arn:aws:iam::${args.accountId}:role/${resourceName(args.env, purpose)}`,
  );
  const boundary = workloadBoundaryArn(args.accountId, args.env);
  return policyDocument([
    {
      Sid: 'GivePermissionsOnlyWithinTheBoundary',
      Effect: 'Allow',
      Action: BOUNDED_ROLE_ACTIONS,
      Resource: roles,
      Condition: { StringEquals: { 'iam:PermissionsBoundary': boundary } },
    },
    {
      // Read, tag, remove permissions, retrust and delete: none of these raises what a bounded role may do.
      Sid: 'ManageEnvironmentRoles',
      Effect: 'Allow',
      Action: [
        'iam:GetRole',
        'iam:UpdateRole',
        'iam:UpdateRoleDescription',
        'iam:UpdateAssumeRolePolicy',
        'iam:TagRole',
        'iam:UntagRole',
        'iam:GetRolePolicy',
        'iam:ListRolePolicies',
        'iam:ListAttachedRolePolicies',
        'iam:ListInstanceProfilesForRole',
        'iam:DeleteRolePolicy',
        'iam:DetachRolePolicy',
        'iam:DeleteRole',
      ],
      Resource: roles,
    },
    {
      Sid: 'PassEnvironmentRolesToTheStacksServices',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: roles,
      Condition: { StringEquals: { 'iam:PassedToService': PASS_ROLE_SERVICES } },
    },
    {
      Sid: 'ReadTheBoundary',
      Effect: 'Allow',
      Action: ['iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:ListPolicyVersions'],
      Resource: boundary,
    },
    {
      // Shared-account mode looks the GitHub provider up (aws.iam.getOpenIdConnectProvider): it lists the
      // account's providers, then reads the one whose ARN ends with the URL. Listing has no resource.
      Sid: 'ListOidcProviders',
      Effect: 'Allow',
      Action: 'iam:ListOpenIDConnectProviders',
      Resource: '*',
    },
    {
      Sid: 'ReadTheGithubOidcProvider',
      Effect: 'Allow',
      Action: 'iam:GetOpenIDConnectProvider',
      Resource: `arn:aws:iam::${args.accountId}:oidc-provider/${GITHUB_OIDC_HOST}`,
    },
    {
      Sid: 'ManageClusterOidcProviders',
      Effect: 'Allow',
      Action: [
        'iam:CreateOpenIDConnectProvider',
        'iam:DeleteOpenIDConnectProvider',
        'iam:GetOpenIDConnectProvider',
        'iam:TagOpenIDConnectProvider',
        'iam:UpdateOpenIDConnectProviderThumbprint',
      ],
      Resource: `arn:aws:iam::${args.accountId}:oidc-provider/oidc.eks.${args.region}.amazonaws.com/*`,
    },
    {
      Sid: 'CreateServiceLinkedRoles',
      Effect: 'Allow',
      Action: 'iam:CreateServiceLinkedRole',
      Resource: `arn:aws:iam::${args.accountId}:role/aws-service-role/*`,
    },
    {
      Sid: 'NeverRemoveABoundary',
      Effect: 'Deny',
      Action: 'iam:DeleteRolePermissionsBoundary',
      Resource: '*',
    },
    {
      Sid: 'NeverChangeTheBoundary',
      Effect: 'Deny',
      Action: [
        'iam:CreatePolicyVersion',
        'iam:DeletePolicy',
        'iam:DeletePolicyVersion',
        'iam:SetDefaultPolicyVersion',
        'iam:TagPolicy',
        'iam:UntagPolicy',
      ],
      Resource: boundary,
    },
    {
      // Its own role, and the preview role whose trust it could otherwise widen.
      Sid: 'NeverChangeThePipelineRoles',
      Effect: 'Deny',
      Action: [
        'iam:UpdateRole',
        'iam:UpdateRoleDescription',
        'iam:UpdateAssumeRolePolicy',
        'iam:TagRole',
        'iam:UntagRole',
        'iam:PutRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:AttachRolePolicy',
        'iam:DetachRolePolicy',
        'iam:PutRolePermissionsBoundary',
        'iam:DeleteRolePermissionsBoundary',
        'iam:DeleteRole',
        'iam:PassRole',
      ],
      Resource: pipelineRoles,
    },
  ]);
}
