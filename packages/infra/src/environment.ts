/** The environments a stack can be deployed as; the Pulumi stack name is the environment. */
export const ENVIRONMENTS = ['dev', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export function parseEnvironment(stackName: string): Environment {
  const found = ENVIRONMENTS.find((env) => env === stackName);
  if (!found) {
    throw new Error(
      `Stack "${stackName}" is not a known environment: name the stack one of ${ENVIRONMENTS.join(', ')} ` +
        '(e.g. `pulumi stack init dev`).',
    );
  }
  return found;
}
