/** What a change needs redeployed or previewed, in the order Pulumi must run: platform first. */
export interface AffectedStacks {
  platform: boolean;
  /** Target stacks (every `stacks/*` but platform), in the order given. */
  targets: string[];
}

/**
 * Changes that affect every stack: the packages their programs import (the shared Pulumi components and policy,
 * the contract whose app settings they build the app's environment from, and the registry layout the targets
 * look their model up by, @glyco/registry/layout), and the dependency set.
 */
const EVERY_STACK = [
  /^packages\/(infra|contract)\//,
  /^packages\/registry\/src\/layout\.ts$/,
  /^pnpm-lock\.yaml$/,
  /^pnpm-workspace\.yaml$/,
  /^package\.json$/,
];

/** Changes that make a new image, so every target must roll to its digest. */
const IMAGE = [/^packages\/(?!infra\/)/, /^models\//, /^Dockerfile$/, /^\.dockerignore$/];

/**
 * The stacks a set of changed files affects. A platform change reaches every target too (they read its outputs).
 * With `image: true` (deploys), a change to what the image holds reaches every target; previews leave it out,
 * since a pull request has no image to deploy.
 */
export function affectedStacks(
  changedFiles: string[],
  stacks: { targets: string[] },
  options: { image: boolean },
): AffectedStacks {
  const any = (patterns: RegExp[]) =>
    changedFiles.some((file) => patterns.some((pattern) => pattern.test(file)));
  const under = (stack: string) => changedFiles.some((file) => file.startsWith(`stacks/${stack}/`));
  const platform = any(EVERY_STACK) || under('platform');
  const everyTarget = platform || (options.image && any(IMAGE));
  return { platform, targets: stacks.targets.filter((target) => everyTarget || under(target)) };
}
