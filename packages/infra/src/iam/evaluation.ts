import { actionMatches, asList, type PolicyStatement } from './documents.ts';

/**
 * IAM evaluation of identity-based policies and permissions boundaries, as AWS describes it, for checks that
 * must see what AWS would decide rather than what a document spells:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html (Deny wins, then
 * an Allow is needed) and .../access_policies_boundaries.html (identity policies ∩ boundary). Statements match
 * by Action/NotAction (case-insensitive wildcards) and Resource/NotResource (case-sensitive wildcards); the
 * condition operators are those of .../reference_policies_elements_condition_operators.html that plain strings
 * can decide. Anything else (numbers, dates, addresses, policy variables) throws instead of guessing.
 */

/** A statement as AWS accepts it: `NotAction` and `NotResource` as well as `Action` and `Resource`. */
export type EvaluableStatement = Omit<PolicyStatement, 'Action'> & {
  Action?: string | string[];
  NotAction?: string | string[];
  NotResource?: string | string[];
};

export interface EvaluableDocument {
  Statement: EvaluableStatement[] | EvaluableStatement;
}

export interface AccessRequest {
  action: string;
  /** The resource's ARN, or `*` for an action that supports no resource-level permission. */
  resource: string;
  /** The request context: condition key → value(s). A key that is absent is not in the request. */
  context?: Record<string, string | string[]>;
}

export type Decision = 'allowed' | 'explicitly-denied' | 'implicitly-denied';

export function decide(documents: readonly EvaluableDocument[], request: AccessRequest): Decision {
  const matching = documents
    .flatMap((document) => asList(document.Statement))
    .filter((statement) => statementMatches(statement, request));
  if (matching.some((statement) => statement.Effect === 'Deny')) return 'explicitly-denied';
  return matching.some((statement) => statement.Effect === 'Allow') ? 'allowed' : 'implicitly-denied';
}

/** A role's decision: its policies allow the request and its permissions boundary (if any) allows it too. */
export function decideWithin(
  identity: readonly EvaluableDocument[],
  boundary: EvaluableDocument | undefined,
  request: AccessRequest,
): Decision {
  const decisions = [decide(identity, request), boundary ? decide([boundary], request) : 'allowed'];
  if (decisions.includes('explicitly-denied')) return 'explicitly-denied';
  return decisions.every((decision) => decision === 'allowed') ? 'allowed' : 'implicitly-denied';
}

function statementMatches(statement: EvaluableStatement, request: AccessRequest): boolean {
  const actionListed = (patterns: string | string[] | undefined) =>
    asList(patterns).some((pattern) => actionMatches(pattern, request.action));
  const resourceListed = (patterns: string | string[] | undefined) =>
    asList(patterns).some((pattern) => resourceMatches(pattern, request.resource));
  const action = statement.NotAction ? !actionListed(statement.NotAction) : actionListed(statement.Action);
  const resource = statement.NotResource
    ? !resourceListed(statement.NotResource)
    : statement.Resource === undefined || resourceListed(statement.Resource);
  return action && resource && conditionsHold(statement.Condition ?? {}, request.context ?? {});
}

/** Resource patterns are case-sensitive; `*` and `?` match across `:` and `/`. */
export function resourceMatches(pattern: string, resource: string): boolean {
  return glob(pattern).test(resource);
}

function glob(pattern: string): RegExp {
  if (pattern.includes('${')) {
    throw new Error(`Policy variables are not evaluated here: "${pattern}"`);
  }
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's');
}

type Context = Record<string, string | string[]>;
type Compare = (policyValue: string, requestValue: string) => boolean;

const COMPARISONS: Record<string, { compare: Compare; negated: boolean }> = {
  StringEquals: { compare: (p, r) => p === r, negated: false },
  StringNotEquals: { compare: (p, r) => p === r, negated: true },
  StringEqualsIgnoreCase: { compare: (p, r) => p.toLowerCase() === r.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { compare: (p, r) => p.toLowerCase() === r.toLowerCase(), negated: true },
  StringLike: { compare: (p, r) => glob(p).test(r), negated: false },
  StringNotLike: { compare: (p, r) => glob(p).test(r), negated: true },
  ArnEquals: { compare: (p, r) => arnMatches(p, r), negated: false },
  ArnLike: { compare: (p, r) => arnMatches(p, r), negated: false },
  ArnNotEquals: { compare: (p, r) => arnMatches(p, r), negated: true },
  ArnNotLike: { compare: (p, r) => arnMatches(p, r), negated: true },
  Bool: { compare: (p, r) => p.toLowerCase() === r.toLowerCase(), negated: false },
};

/** Every operator holds (AND), every key of an operator holds (AND); the values of one key are alternatives. */
function conditionsHold(condition: NonNullable<EvaluableStatement['Condition']>, context: Context): boolean {
  return Object.entries(condition).every(([operator, keys]) =>
    Object.entries(keys).every(([key, values]) =>
      operatorHolds(operator, asList(values).map(String), lookup(context, key)),
    ),
  );
}

/** Condition keys are case-insensitive. */
function lookup(context: Context, key: string): string[] | undefined {
  const found = Object.keys(context).find((candidate) => candidate.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : asList(context[found]);
}

function operatorHolds(operator: string, values: string[], present: string[] | undefined): boolean {
  if (operator === 'Null') {
    // "true": the key must be absent; "false": it must be present.
    return values.every((value) => (value.toLowerCase() === 'true') === (present === undefined));
  }
  const [, set, name = '', ifExists] =
    /^(ForAnyValue:|ForAllValues:)?(\w+?)(IfExists)?$/.exec(operator) ?? [];
  const comparison = COMPARISONS[name];
  if (!comparison) throw new Error(`Condition operator ${operator} is not evaluated here.`);
  if (present === undefined) {
    // An absent key fails a condition, except a negated one, an ...IfExists one, or ForAllValues (vacuously).
    return Boolean(ifExists) || comparison.negated || set === 'ForAllValues:';
  }
  const matchesAny = (requestValue: string) =>
    values.some((policyValue) => comparison.compare(policyValue, requestValue));
  const holds = (requestValue: string) =>
    comparison.negated ? !matchesAny(requestValue) : matchesAny(requestValue);
  if (set === 'ForAllValues:') return present.every(holds);
  if (set === 'ForAnyValue:') return present.some(holds);
  if (present.length !== 1) {
    throw new Error(`${operator} on a multi-valued key needs ForAnyValue: or ForAllValues:`);
  }
  return holds(present[0]!);
}

/** ARNs compare part by part (partition, service, region, account, resource), each with wildcards. */
function arnMatches(pattern: string, arn: string): boolean {
  const parts = (value: string) => {
    const split = value.split(':');
    return [...split.slice(0, 5), split.slice(5).join(':')];
  };
  const patternParts = parts(pattern);
  const arnParts = parts(arn);
  return patternParts.every((part, index) => glob(part).test(arnParts[index] ?? ''));
}
