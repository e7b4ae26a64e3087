import type { Environment } from './environment.ts';

export const PROJECT = 'glyco';

const PURPOSE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** `glyco-<env>-<purpose>`: the physical name of every AWS resource, so a console list reads by environment. */
export function resourceName(env: Environment, purpose: string): string {
  if (!PURPOSE.test(purpose)) {
    throw new Error(
      `Resource purpose "${purpose}" must be lower-case words joined by hyphens (e.g. "model-registry").`,
    );
  }
  return `${PROJECT}-${env}-${purpose}`;
}

export type Tags = Record<string, string>;

export const REQUIRED_TAG_KEYS = ['project', 'environment', 'managed-by'] as const;

/** The tags every AWS resource carries: cost reports and the tag policy rule rely on them. */
export function standardTags(env: Environment): Tags {
  return { project: PROJECT, environment: env, 'managed-by': 'pulumi' };
}

/** The platform's Secrets Manager secret of API key hashes, which the workload boundary lets roles read. */
export function apiKeysSecretName(env: Environment): string {
  return resourceName(env, 'api-keys');
}
