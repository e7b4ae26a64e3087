import { COMMON_RULE_SET, COUNTED_COMMON_RULES } from '../../target/web-acl.ts';
import {
  at,
  environmentOf,
  failures,
  list,
  type PolicyResource,
  type PolicyRule,
  type StackRule,
} from '../rule.ts';

const WAF_ANNOTATION = 'alb.ingress.kubernetes.io/wafv2-acl-arn';

/** A web ACL in front of the API blocks floods per IP and runs the AWS common rule set, overriding only what must be. */
export const webAclGuardsApi: PolicyRule = {
  name: 'web-acl-guards-api',
  description:
    'WAF web ACLs block by a per-IP rate rule and run AWSManagedRulesCommonRuleSet, counting only the rules that refuse valid API bodies.',
  appliesTo: ['aws:wafv2/webAcl:WebAcl'],
  check: ({ props }) => {
    const rules = list(props.rules);
    const rate = rules.find((rule) => at(rule, 'statement', 'rateBasedStatement') !== undefined);
    const common = rules.find(
      (rule) => at(rule, 'statement', 'managedRuleGroupStatement', 'name') === COMMON_RULE_SET,
    );
    const overridden = list(at(common, 'statement', 'managedRuleGroupStatement', 'ruleActionOverrides'))
      .map((override) => String(at(override, 'name')))
      .filter((name) => !COUNTED_COMMON_RULES.includes(name));
    return failures(
      [!rate || at(rate, 'action', 'block') === undefined, 'a rate-based rule must block'],
      [!common, `the managed rule group ${COMMON_RULE_SET} must be a rule`],
      [
        common !== undefined && at(common, 'overrideAction', 'none') === undefined,
        `${COMMON_RULE_SET} must keep its own actions (overrideAction none)`,
      ],
      [
        overridden.length > 0,
        `only ${COUNTED_COMMON_RULES.join(', ')} may be overridden; not ${overridden.join(', ')}`,
      ],
    );
  },
};

/** An EKS Ingress's environment is in the controller's tags annotation (`k=v,k=v`). */
function ingressEnvironment(props: Record<string, unknown>): string | undefined {
  const tags = String(at(props, 'metadata', 'annotations', 'alb.ingress.kubernetes.io/tags') ?? '');
  return /(?:^|,)environment=([^,]+)/.exec(tags)?.[1];
}

export const prodIngressBehindWaf: PolicyRule = {
  name: 'prod-ingress-behind-waf',
  description: `In prod, an internet-facing Ingress names its WAF web ACL (${WAF_ANNOTATION}).`,
  appliesTo: ['kubernetes:networking.k8s.io/v1:Ingress'],
  check: ({ props }) => {
    const annotations = at(props, 'metadata', 'annotations');
    return failures([
      ingressEnvironment(props) === 'prod' &&
        at(annotations, 'alb.ingress.kubernetes.io/scheme') === 'internet-facing' &&
        !at(annotations, WAF_ANNOTATION),
      `${WAF_ANNOTATION} must name a web ACL`,
    ]);
  },
};

const isPublicLoadBalancer = (resource: PolicyResource) =>
  resource.type === 'aws:lb/loadBalancer:LoadBalancer' &&
  resource.props.internal !== true &&
  (resource.props.loadBalancerType ?? 'application') === 'application';

/**
 * A web ACL association names its load balancer by an ARN a preview does not know yet, so the stack is checked
 * whole: as many associations as internet-facing application load balancers.
 */
export const prodLoadBalancersBehindWaf: StackRule = {
  name: 'prod-load-balancers-behind-waf',
  description: 'In prod, every internet-facing application load balancer has a WAF web ACL associated.',
  check: (resources) => {
    const balancers = resources.filter(
      (resource) => isPublicLoadBalancer(resource) && environmentOf(resource) === 'prod',
    );
    const associations = resources.filter(
      (resource) => resource.type === 'aws:wafv2/webAclAssociation:WebAclAssociation',
    );
    return failures([
      associations.length < balancers.length,
      `${balancers.length} internet-facing load balancer(s) but ${associations.length} web ACL association(s)`,
    ]);
  },
};
