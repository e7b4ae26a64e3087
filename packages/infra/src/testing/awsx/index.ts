import type { PolicyResource } from '../../policy/rule.ts';
import { awsxVpcChildren } from './vpc.ts';

type ChildrenModel = (name: string, args: Record<string, unknown>, region: string) => PolicyResource[];

/** The awsx components the stacks use, each with a model of what it registers (read from the pulumi-awsx source). */
const MODELS: Record<string, ChildrenModel> = {
  'awsx:ec2:Vpc': awsxVpcChildren,
};

/**
 * The children that the awsx components among `resources` register in a real deployment. The engine sends them
 * to the policy pack like any resource: it analyzes every resource registration, whoever registers it
 * (pulumi/pulumi pkg/resource/deploy/step_generator.go, `continueStepsFromImport`: "Send the resource off to any
 * Analyzers"), and a remote component's provider registers its children through the same engine. A component
 * without a model fails the run, so a new one cannot slip past the rules.
 */
export function awsxChildren(resources: readonly PolicyResource[], region: string): PolicyResource[] {
  return resources
    .filter((resource) => resource.type.startsWith('awsx:'))
    .flatMap((component) => {
      const model = MODELS[component.type];
      if (!model) {
        throw new Error(
          `No model of what ${component.type} registers: add one to packages/infra/src/testing/awsx from the pulumi-awsx source, so the policy rules see its children.`,
        );
      }
      return model(component.name, component.props, region).map((child) => ({
        ...child,
        parent: component.urn,
      }));
    });
}
