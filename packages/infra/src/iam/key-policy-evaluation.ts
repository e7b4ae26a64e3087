import { asList } from './documents.ts';
import { type Decision, decide, type EvaluableDocument, type EvaluableStatement } from './evaluation.ts';

/** Who calls KMS: an IAM role or user of an account, with the identity policies attached to it. */
export interface KeyCaller {
  /** The role's ARN (`aws:PrincipalArn` of its sessions), or a user's. */
  arn: string;
  account: string;
  /** Its identity-based policies (and boundary folded in by the caller when it matters). */
  identityPolicies: readonly EvaluableDocument[];
}

/**
 * KMS's decision on a request to a key, as https://docs.aws.amazon.com/kms/latest/developerguide/control-access.html
 * and .../key-policy-default.html describe it: the key policy is the primary control. A principal is allowed when
 * a key-policy statement naming it (or `*`) allows the request, or when one naming its account
 * (`arn:aws:iam::<account>:root`) allows it and its own IAM policies allow it too; an explicit Deny in either
 * wins. The request context gets `aws:PrincipalArn`, `aws:PrincipalAccount` and `kms:CallerAccount`.
 */
export function decideKeyAccess(
  keyPolicy: EvaluableDocument,
  caller: KeyCaller,
  request: { action: string; keyArn: string; context?: Record<string, string | string[]> },
): Decision {
  const access = {
    action: request.action,
    resource: request.keyArn,
    context: {
      'aws:PrincipalArn': caller.arn,
      'aws:PrincipalAccount': caller.account,
      'kms:CallerAccount': caller.account,
      ...request.context,
    },
  };
  const statements = asList(keyPolicy.Statement);
  const naming = (test: (principal: string) => boolean) => ({
    Statement: statements.filter((statement) => principalsOf(statement).some(test)),
  });
  const direct = decide([naming((p) => p === '*' || p === caller.arn)], access);
  const delegated = decide([naming((p) => p === `arn:aws:iam::${caller.account}:root`)], access);
  const identity = decide(caller.identityPolicies, access);
  const decisions = [direct, delegated, identity];
  if (decisions.includes('explicitly-denied')) return 'explicitly-denied';
  if (direct === 'allowed' || (delegated === 'allowed' && identity === 'allowed')) return 'allowed';
  return 'implicitly-denied';
}

/** The AWS principals a statement names; `*` for everyone. Service principals are not callers here. */
function principalsOf(statement: EvaluableStatement): string[] {
  const { Principal } = statement;
  if (Principal === undefined) return [];
  if (Principal === '*') return ['*'];
  return asList(Principal.AWS);
}
