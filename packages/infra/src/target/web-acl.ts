import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { Tags } from '../naming.ts';

/** The AWS managed baseline rule group a web ACL in front of the API runs. */
export const COMMON_RULE_SET = 'AWSManagedRulesCommonRuleSet';

/**
 * Rules of the common rule set that would block legitimate requests of this API, counted instead of blocking:
 * SizeRestrictions_BODY blocks every body over 8 KB (https://docs.aws.amazon.com/waf/latest/developerguide/
 * aws-managed-rule-groups-baseline.html), and a batch of predictions is larger (MAX_BODY_BYTES, 1 MiB by
 * default); the app itself refuses a body over its limit with 413 before reading it.
 */
export const COUNTED_COMMON_RULES = ['SizeRestrictions_BODY'];

export interface ApiWebAclArgs {
  aclName: string;
  /** Requests per client IP per 5 minutes before the web ACL blocks it (WAF's minimum is 10). */
  ratePerFiveMinutes: number;
  /** The load balancer to associate it with; without it, whatever names the ACL does (an EKS Ingress annotation). */
  loadBalancerArn?: pulumi.Input<string>;
  tags: Tags;
}

const visibility = (metricName: string) => ({
  cloudwatchMetricsEnabled: true,
  metricName,
  sampledRequestsEnabled: true,
});

/**
 * A regional AWS WAF web ACL for a public load balancer of the API: a rate-based rule per client IP, in front
 * of the app's own per-client limits, and the AWS managed common rule set with the rules that would refuse
 * valid requests counted. Anything else is allowed.
 */
export class ApiWebAcl extends pulumi.ComponentResource {
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: ApiWebAclArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:target:ApiWebAcl', name, {}, opts);
    const acl = new aws.wafv2.WebAcl(
      args.aclName,
      {
        name: args.aclName,
        description: 'Glyco API: per-IP rate limit and the AWS managed common rule set',
        scope: 'REGIONAL',
        defaultAction: { allow: {} },
        rules: [
          {
            name: 'rate-per-ip',
            priority: 0,
            action: { block: {} },
            statement: {
              rateBasedStatement: {
                limit: args.ratePerFiveMinutes,
                aggregateKeyType: 'IP',
                evaluationWindowSec: 300,
              },
            },
            visibilityConfig: visibility(`${args.aclName}-rate-per-ip`),
          },
          {
            name: COMMON_RULE_SET,
            priority: 1,
            overrideAction: { none: {} },
            statement: {
              managedRuleGroupStatement: {
                vendorName: 'AWS',
                name: COMMON_RULE_SET,
                ruleActionOverrides: COUNTED_COMMON_RULES.map((rule) => ({
                  name: rule,
                  actionToUse: { count: {} },
                })),
              },
            },
            visibilityConfig: visibility(`${args.aclName}-common`),
          },
        ],
        visibilityConfig: visibility(args.aclName),
        tags: args.tags,
      },
      { parent: this },
    );
    if (args.loadBalancerArn) {
      new aws.wafv2.WebAclAssociation(
        args.aclName,
        { resourceArn: args.loadBalancerArn, webAclArn: acl.arn },
        { parent: this },
      );
    }
    this.arn = acl.arn;
    this.registerOutputs({ arn: this.arn });
  }
}

/** Whether a load-balanced target puts a web ACL in front of its ALB, and the ACL's per-IP rate. */
export interface WafSettings {
  enabled: boolean;
  ratePerFiveMinutes: number;
}

/** `waf` (default: on in prod, where the policy pack requires it; a web ACL costs a monthly fee) and `wafRatePerFiveMinutes`. */
export function readWafSettings(config: pulumi.Config, env: string): WafSettings {
  return {
    enabled: config.getBoolean('waf') ?? env === 'prod',
    ratePerFiveMinutes: config.getNumber('wafRatePerFiveMinutes', { min: 10, max: 2_000_000_000 }) ?? 10_000,
  };
}
