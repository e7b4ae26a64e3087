import type { Environment } from '../environment.ts';
import { evaluate, evaluateStack } from '../policy/rule.ts';
import { RULES, STACK_RULES } from '../policy/rules.ts';
import { boundaryGaps, fixtureBoundary } from './boundary-check.ts';
import type { StackRun } from './run-stack.ts';

/** The URN of every resource the program registered (awsx children, modelled, have none). */
function urnsOf(run: StackRun): string[] {
  return run.resources.flatMap((resource) => resource.urn ?? []);
}

/** The type a URN names (the last part of its type chain). */
function ownType(urn: string): string {
  return urn.split('::')[2]?.split('$').at(-1) ?? '';
}

/** The stack's own component types (`glyco:…`) that the run registered, each once. */
export function componentTypes(run: StackRun): string[] {
  return [
    ...new Set(
      urnsOf(run)
        .map(ownType)
        .filter((type) => type.startsWith('glyco:')),
    ),
  ];
}

/**
 * Cloud resources (`aws:` and `kubernetes:` types) registered outside any of the stack's own components
 * (`glyco:` types), by URN: `pulumi preview` lists those at the top of the tree instead of under a concern.
 */
export function resourcesOutsideComponents(run: StackRun): string[] {
  return urnsOf(run).filter((urn) => {
    const typeChain = urn.split('::')[2] ?? '';
    return (
      /^(aws|kubernetes):/.test(ownType(urn)) &&
      !typeChain.split('$').some((type) => type.startsWith('glyco:'))
    );
  });
}

/**
 * Types whose physical name is unique in its scope and which some input change replaces (create, then delete):
 * with a fixed name the create fails on the old one. Their names must be generated (no `name` input). Sources:
 * @pulumi/aws ec2/securityGroup.d.ts ("description, namePrefix, or vpcId cannot be changed"); ELB API
 * ModifyLoadBalancerAttributes and ModifyTargetGroup (no scheme, port, protocol, VPC or target type to change);
 * EKS user guide, "Fargate profiles are immutable"; ECS UpdateService (no launch type); Application Auto Scaling
 * PutScalingPolicy (a policy is named within its resource id).
 */
export const REPLACED_WITH_UNIQUE_NAME: Record<string, string> = {
  'aws:ec2/securityGroup:SecurityGroup': 'name',
  'aws:lb/loadBalancer:LoadBalancer': 'name',
  'aws:lb/targetGroup:TargetGroup': 'name',
  'aws:ecs/service:Service': 'name',
  'aws:appautoscaling/policy:Policy': 'name',
  'aws:eks/fargateProfile:FargateProfile': 'fargateProfileName',
};

/** Resources of those types that set their name: a replacement of any of them would fail. */
export function fixedNamesThatBlockReplacement(run: StackRun): string[] {
  return run.resources
    .filter((resource) => {
      const nameInput = REPLACED_WITH_UNIQUE_NAME[resource.type];
      return nameInput !== undefined && resource.props[nameInput] !== undefined;
    })
    .map((resource) => `${resource.type} ${resource.name}`);
}

/** Whether `resource` (`type::name`) waits for every resource of `type` (directly or through a component). */
export function waitsForAll(run: StackRun, resource: string, type: string): boolean {
  const waitedFor = run.dependencies.get(resource) ?? [];
  const ofType = urnsOf(run).filter((urn) => ownType(urn) === type);
  return ofType.length > 0 && ofType.every((urn) => waitedFor.includes(urn));
}

/**
 * What every target's preview asks of AWS through @glyco/infra/target, in order: the provider's credentials
 * check, the image to run (`prepareTarget`), the model in the registry (`requireRegisteredModel`).
 */
export const TARGET_LOOKUPS = [
  'sts:GetCallerIdentity',
  'ecr:DescribeImages',
  'ecr:DescribeRepositories',
  's3:ListBucket',
];
/** ...and, with a domain, its hosted zone (`publicDomain`). */
export const DOMAIN_LOOKUPS = ['route53:GetHostedZone', 'route53:ListTagsForResource'];

/**
 * What every target stack's run must meet, as one list of breaches (empty when it meets all): the policy pack's
 * rules; the workload boundary on every role and around every inline action; every cloud resource under one of
 * the stack's components, so `pulumi preview` reads as a tree; generated names wherever a change replaces.
 */
export function targetConventionBreaches(run: StackRun, env: Environment): string[] {
  return [
    ...[...evaluate(run.resources, RULES), ...evaluateStack(run.resources, STACK_RULES)].map(
      (violation) =>
        `policy ${violation.rule}: ${violation.type} ${violation.resource}: ${violation.message}`,
    ),
    ...boundaryGaps(run, env, fixtureBoundary(env)),
    ...resourcesOutsideComponents(run).map((urn) => `outside every component: ${urn}`),
    ...fixedNamesThatBlockReplacement(run).map((resource) => `fixed name blocks a replacement: ${resource}`),
  ];
}
