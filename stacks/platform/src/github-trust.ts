import { type PolicyDocument, webIdentityTrustPolicy } from '@glyco/infra';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/**
 * Trust for the GitHub Actions deploy role: only workflow jobs of this repository that run in this GitHub
 * environment get a token (`sub` is `repo:<owner>/<repo>:environment:<env>`).
 */
export function githubDeployTrustPolicy(args: {
  providerArn: string;
  repository: string;
  environment: string;
}): PolicyDocument {
  return webIdentityTrustPolicy(
    args.providerArn,
    GITHUB_OIDC_HOST,
    `repo:${args.repository}:environment:${args.environment}`,
  );
}

/**
 * Trust for the pull-request preview role: jobs of this repository triggered by `pull_request` and run in no
 * GitHub environment, whose token's `sub` is `repo:<owner>/<repo>:pull_request` (GitHub Docs, "About security
 * hardening with OpenID Connect", example subject claims). Forks get no token for `pull_request` runs at all.
 */
export function githubPreviewTrustPolicy(args: { providerArn: string; repository: string }): PolicyDocument {
  return webIdentityTrustPolicy(args.providerArn, GITHUB_OIDC_HOST, `repo:${args.repository}:pull_request`);
}
