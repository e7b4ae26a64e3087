import type { ResourceValidationPolicy } from '@pulumi/policy';
import { ruleApplies } from './rule.ts';
import { RULES } from './rules.ts';

/** The rules as Pulumi policies: mandatory, so a violation stops `pulumi preview` and `pulumi up`. */
export function policyPackPolicies(): ResourceValidationPolicy[] {
  return RULES.map((rule) => ({
    name: rule.name,
    description: rule.description,
    enforcementLevel: 'mandatory',
    validateResource: (args, reportViolation) => {
      if (!ruleApplies(rule, args.type)) return;
      const resource = {
        type: args.type,
        name: args.name,
        props: args.props,
        urn: args.urn,
        parent: args.opts.parent,
        protect: args.opts.protect,
        deleteBeforeReplace: args.opts.deleteBeforeReplace,
      };
      for (const message of rule.check(resource)) {
        reportViolation(message);
      }
    },
  }));
}
