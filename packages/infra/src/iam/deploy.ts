import { type PolicyDocument, policyDocument } from './documents.ts';

/**
 * IAM rights the GitHub deploy role needs on top of the AWS-managed PowerUserAccess (which excludes IAM):
 * manage and pass only this environment's roles (`glyco-<env>-*`), and the EKS clusters' OIDC providers.
 */
export function deployIamPolicy(args: { accountId: string; env: string; region: string }): PolicyDocument {
  const roles = `arn:aws:iam::${args.accountId}:role/glyco-${args.env}-*`;
  return policyDocument([
    {
      Sid: 'ManageEnvironmentRoles',
      Effect: 'Allow',
      Action: [
        'iam:CreateRole',
        'iam:DeleteRole',
        'iam:GetRole',
        'iam:UpdateRole',
        'iam:UpdateAssumeRolePolicy',
        'iam:TagRole',
        'iam:UntagRole',
        'iam:PutRolePolicy',
        'iam:GetRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:ListRolePolicies',
        'iam:AttachRolePolicy',
        'iam:DetachRolePolicy',
        'iam:ListAttachedRolePolicies',
        'iam:ListInstanceProfilesForRole',
        'iam:PassRole',
      ],
      Resource: roles,
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
  ]);
}
