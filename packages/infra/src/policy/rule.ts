/**
 * A resource as a policy sees it: its type token, its logical name, its input properties and the options the
 * engine passes to the policy pack (`protect`, `ignoreChanges`, the parent's URN).
 */
export interface PolicyResource {
  type: string;
  name: string;
  props: Record<string, unknown>;
  urn?: string;
  /** The parent resource's URN; absent for a resource of the stack itself. */
  parent?: string;
  protect?: boolean;
  deleteBeforeReplace?: boolean;
  /** Properties Pulumi leaves as they are found (e.g. a secret's value that operators set outside Pulumi). */
  ignoreChanges?: string[];
}

export interface PolicyRule {
  /** kebab-case, unique: the name `pulumi preview --policy-pack` prints next to a violation. */
  name: string;
  description: string;
  /** Resource type tokens the rule inspects, or a predicate over the type. */
  appliesTo: readonly string[] | ((type: string) => boolean);
  /** One message per violation; an empty list means the resource passes. */
  check(resource: PolicyResource): string[];
}

/** A rule that needs the whole stack at once (e.g. that every load balancer has an association to it). */
export interface StackRule {
  name: string;
  description: string;
  /** One message per violation over all the stack's resources. */
  check(resources: readonly PolicyResource[]): string[];
}

export interface Violation {
  rule: string;
  resource: string;
  type: string;
  message: string;
}

export function ruleApplies(rule: PolicyRule, type: string): boolean {
  return typeof rule.appliesTo === 'function' ? rule.appliesTo(type) : rule.appliesTo.includes(type);
}

export function evaluate(resources: readonly PolicyResource[], rules: readonly PolicyRule[]): Violation[] {
  return resources.flatMap((resource) =>
    rules
      .filter((rule) => ruleApplies(rule, resource.type))
      .flatMap((rule) =>
        rule
          .check(resource)
          .map((message) => ({ rule: rule.name, resource: resource.name, type: resource.type, message })),
      ),
  );
}

export function evaluateStack(
  resources: readonly PolicyResource[],
  rules: readonly StackRule[],
): Violation[] {
  return rules.flatMap((rule) =>
    rule
      .check(resources)
      .map((message) => ({ rule: rule.name, resource: '(stack)', type: 'stack', message })),
  );
}

/** Reads a nested property: `at(props, 'networkConfiguration', 'assignPublicIp')`. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

export function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Parses a property that a resource stores as a JSON string (policies, container definitions). */
export function json(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

export function environmentOf(resource: PolicyResource): string | undefined {
  const environment = at(resource.props, 'tags', 'environment');
  return typeof environment === 'string' ? environment : undefined;
}

/** Keeps the messages whose condition holds: `failures([cond, 'message'], …)`. */
export function failures(...checks: [boolean, string][]): string[] {
  return checks.filter(([failed]) => failed).map(([, message]) => message);
}
