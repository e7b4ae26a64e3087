import type {
  PolicyResource as PulumiPolicyResource,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from '@pulumi/policy';
import { type PolicyResource, ruleApplies } from './rule.ts';
import { RULES, STACK_RULES } from './rules.ts';

/** A resource as the engine hands it to a policy, as the rules read it. */
function asPolicyResource(
  args: Omit<PulumiPolicyResource, 'propertyDependencies' | 'dependencies' | 'isPreview'>,
): PolicyResource {
  return {
    type: args.type,
    name: args.name,
    props: args.props,
    urn: args.urn,
    parent: args.opts.parent,
    protect: args.opts.protect,
    deleteBeforeReplace: args.opts.deleteBeforeReplace,
    ignoreChanges: args.opts.ignoreChanges,
  };
}

/** The rules as Pulumi policies: mandatory, so a violation stops `pulumi preview` and `pulumi up`. */
export function policyPackPolicies(): (ResourceValidationPolicy | StackValidationPolicy)[] {
  const resourcePolicies: ResourceValidationPolicy[] = RULES.map((rule) => ({
    name: rule.name,
    description: rule.description,
    enforcementLevel: 'mandatory',
    validateResource: (args, reportViolation) => {
      if (!ruleApplies(rule, args.type)) return;
      for (const message of rule.check(asPolicyResource(args))) reportViolation(message);
    },
  }));
  const stackPolicies: StackValidationPolicy[] = STACK_RULES.map((rule) => ({
    name: rule.name,
    description: rule.description,
    enforcementLevel: 'mandatory',
    validateStack: (args, reportViolation) => {
      for (const message of rule.check(args.resources.map(asPolicyResource))) reportViolation(message);
    },
  }));
  return [...resourcePolicies, ...stackPolicies];
}
