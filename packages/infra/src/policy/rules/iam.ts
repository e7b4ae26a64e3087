import { BOUNDED_ROLE_ACTIONS } from '../../iam/boundary.ts';
import { actionMatches, asList, type PolicyStatement, statementsOf } from '../../iam/documents.ts';
import { at, failures, list, type PolicyResource, type PolicyRule } from '../rule.ts';

/** Every permission document a resource carries, wherever the resource type keeps it. */
export function permissionStatements({ type, props }: PolicyResource): PolicyStatement[] {
  if (type === 'aws:iam/role:Role')
    return list(props.inlinePolicies).flatMap((p) => statementsOf(at(p, 'policy')));
  return statementsOf(props.policy);
}

export const POLICY_TYPES = [
  'aws:iam/role:Role',
  'aws:iam/rolePolicy:RolePolicy',
  'aws:iam/policy:Policy',
  'aws:iam/userPolicy:UserPolicy',
  'aws:iam/groupPolicy:GroupPolicy',
];

const allows = (statement: PolicyStatement) => statement.Effect === 'Allow';

export const iamNoWildcardActions: PolicyRule = {
  name: 'iam-no-wildcard-actions',
  description: 'Allow statements name their actions: no "*", no "service:*", no NotAction.',
  appliesTo: POLICY_TYPES,
  check: (resource) =>
    permissionStatements(resource)
      .filter(allows)
      .flatMap((statement) => [
        ...asList(statement.Action)
          .filter((action) => action === '*' || action.endsWith(':*'))
          .map((action) => `allows the wildcard action "${action}"`),
        ...('NotAction' in statement ? ['allows by NotAction'] : []),
      ]),
};

/** Actions that read or write data: never granted on every resource. */
const DATA_ACTIONS = new Set([
  's3:GetObject',
  's3:PutObject',
  's3:DeleteObject',
  's3:ListBucket',
  'secretsmanager:GetSecretValue',
  'kms:Decrypt',
  'kms:GenerateDataKey',
  'ssm:GetParameter',
  'ssm:GetParameters',
  'dynamodb:GetItem',
]);

export const iamDataAccessScoped: PolicyRule = {
  name: 'iam-data-access-scoped',
  description: 'Data-plane actions (S3 objects, secrets, KMS decrypt, parameters) name specific resources.',
  appliesTo: POLICY_TYPES,
  check: (resource) =>
    permissionStatements(resource)
      .filter(allows)
      .filter((statement) => asList(statement.Resource).includes('*'))
      .flatMap((statement) => asList(statement.Action).filter((action) => DATA_ACTIONS.has(action)))
      .map((action) => `grants "${action}" on every resource`),
};

const ADMIN_POLICIES =
  /:policy\/(AdministratorAccess|IAMFullAccess|AmazonS3FullAccess|SecretsManagerReadWrite)$/;

export const iamNoAdminPolicies: PolicyRule = {
  name: 'iam-no-admin-policies',
  description:
    'No role gets AdministratorAccess, IAMFullAccess or full data access through a managed policy.',
  appliesTo: ['aws:iam/rolePolicyAttachment:RolePolicyAttachment', 'aws:iam/role:Role'],
  check: ({ type, props }) => {
    const arns = type === 'aws:iam/role:Role' ? list(props.managedPolicyArns) : [props.policyArn];
    return arns.filter((arn) => ADMIN_POLICIES.test(String(arn))).map((arn) => `attaches ${String(arn)}`);
  },
};

export const iamWebIdentityTrustScoped: PolicyRule = {
  name: 'iam-web-identity-trust-scoped',
  description:
    'Roles trusting an OIDC provider (GitHub Actions, EKS service accounts) pin the audience and one exact subject.',
  appliesTo: ['aws:iam/role:Role'],
  check: ({ props }) =>
    statementsOf(props.assumeRolePolicy)
      .filter((statement) => asList(statement.Action).includes('sts:AssumeRoleWithWebIdentity'))
      .flatMap((statement) => {
        const equals = (at(statement.Condition, 'StringEquals') ?? {}) as Record<string, unknown>;
        const key = (suffix: string) => Object.keys(equals).find((k) => k.endsWith(`:${suffix}`));
        const sub = key('sub');
        return failures(
          [!key('aud'), 'the trust must pin the token audience (StringEquals "<issuer>:aud")'],
          [!sub, 'the trust must pin the token subject (StringEquals "<issuer>:sub")'],
          [
            sub !== undefined && asList(equals[sub] as string | string[]).some((v) => v.includes('*')),
            'the subject must not contain "*"',
          ],
          [
            at(statement.Condition, 'StringLike') !== undefined,
            'StringLike (wildcard) conditions are not allowed',
          ],
        );
      }),
};

/** The condition operators that pin `iam:PermissionsBoundary` to one policy (no wildcards). */
const PINS_BOUNDARY = ['StringEquals', 'ArnEquals'];

export const iamRoleChangesBounded: PolicyRule = {
  name: 'iam-role-changes-bounded',
  description:
    'Whoever may create roles or give them permissions may do so only when the role carries a set permissions boundary (condition iam:PermissionsBoundary), and may never remove a boundary.',
  appliesTo: POLICY_TYPES,
  check: (resource) =>
    permissionStatements(resource)
      .filter(allows)
      .flatMap((statement) => {
        const granted = (action: string) =>
          asList(statement.Action).some((pattern) => actionMatches(pattern, action));
        const pinned = PINS_BOUNDARY.some(
          (operator) => at(statement.Condition, operator, 'iam:PermissionsBoundary') !== undefined,
        );
        return [
          ...BOUNDED_ROLE_ACTIONS.filter((action) => granted(action) && !pinned).map(
            (action) => `allows "${action}" without a condition on iam:PermissionsBoundary`,
          ),
          ...failures([
            granted('iam:DeleteRolePermissionsBoundary'),
            'allows "iam:DeleteRolePermissionsBoundary" (removing a boundary undoes it)',
          ]),
        ];
      }),
};
