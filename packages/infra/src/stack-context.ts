import * as pulumi from '@pulumi/pulumi';
import { type Environment, parseEnvironment } from './environment.ts';
import { resourceName, standardTags, type Tags } from './naming.ts';

/** What every stack derives from its stack name before it declares a resource. */
export interface StackContext {
  env: Environment;
  /** `glyco-<env>-<purpose>`. */
  name: (purpose: string) => string;
  tags: Tags;
  config: pulumi.Config;
}

export function stackContext(): StackContext {
  const env = parseEnvironment(pulumi.getStack());
  return {
    env,
    name: (purpose) => resourceName(env, purpose),
    tags: standardTags(env),
    config: new pulumi.Config(),
  };
}
