import {
  type Environment,
  GITHUB_ROLE_PURPOSES,
  previewGuardPolicy,
  resourceName,
  type Tags,
} from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { deployIamPolicy } from './deploy-policy.ts';
import { GITHUB_OIDC_HOST, githubDeployTrustPolicy, githubPreviewTrustPolicy } from './github-trust.ts';

/**
 * How long a deploy job's credentials last: a first deploy runs every stack in turn (EKS alone takes 25–35
 * minutes), so one hour is not enough. STS grants up to the role's maximum (AssumeRoleWithWebIdentity,
 * DurationSeconds); the deploy action asks for exactly this (`role-duration-seconds`), and the jobs time out by then.
 */
export const DEPLOY_SESSION_SECONDS = 10_800;

export interface GithubActionsRolesArgs {
  /** `owner/repo`. */
  repository: string;
  /** The GitHub environment whose jobs may deploy (also the Pulumi stack name). */
  environment: Environment;
  accountId: pulumi.Input<string>;
  region: pulumi.Input<string>;
  /** The account has one GitHub OIDC provider: the first environment creates it, later ones look it up. */
  createOidcProvider: boolean;
  tags: Tags;
}

/**
 * The roles GitHub Actions assumes through OIDC (no stored AWS keys): the deploy role, for jobs in the GitHub
 * environment of the same name, and the read-only preview role, for pull-request jobs.
 */
export class GithubActionsRoles extends pulumi.ComponentResource {
  readonly deployRoleArn: pulumi.Output<string>;
  readonly previewRoleArn: pulumi.Output<string>;
  readonly oidcProviderArn: pulumi.Output<string>;

  constructor(name: string, args: GithubActionsRolesArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:infra:GithubActionsRoles', name, {}, opts);
    const parent = { parent: this };
    const url = `https://${GITHUB_OIDC_HOST}`;
    this.oidcProviderArn = args.createOidcProvider
      ? new aws.iam.OpenIdConnectProvider(
          resourceName(args.environment, 'github-oidc'),
          { url, clientIdLists: ['sts.amazonaws.com'], tags: args.tags },
          parent,
        ).arn
      : aws.iam.getOpenIdConnectProviderOutput({ url }, parent).arn;
    const role = (purpose: string, roleArgs: Omit<aws.iam.RoleArgs, 'name' | 'tags'>) => {
      const roleName = resourceName(args.environment, purpose);
      return new aws.iam.Role(roleName, { name: roleName, ...roleArgs, tags: args.tags }, parent);
    };

    const deployName = resourceName(args.environment, GITHUB_ROLE_PURPOSES.deploy);
    const deploy = role(GITHUB_ROLE_PURPOSES.deploy, {
      description: `GitHub Actions deploys of ${args.repository} to ${args.environment}`,
      assumeRolePolicy: this.oidcProviderArn.apply((providerArn) =>
        JSON.stringify(
          githubDeployTrustPolicy({
            providerArn,
            repository: args.repository,
            environment: args.environment,
          }),
        ),
      ),
      maxSessionDuration: DEPLOY_SESSION_SECONDS,
    });
    new aws.iam.RolePolicyAttachment(
      `${deployName}-power-user`,
      { role: deploy.name, policyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' },
      parent,
    );
    new aws.iam.RolePolicy(
      `${deployName}-iam`,
      {
        role: deploy.id,
        policy: pulumi
          .all([args.accountId, args.region])
          .apply(([accountId, region]) =>
            JSON.stringify(deployIamPolicy({ accountId, region, env: args.environment })),
          ),
      },
      parent,
    );

    const previewName = resourceName(args.environment, GITHUB_ROLE_PURPOSES.preview);
    const preview = role(GITHUB_ROLE_PURPOSES.preview, {
      description: `GitHub Actions previews of ${args.repository}'s pull requests in ${args.environment}: read only`,
      assumeRolePolicy: this.oidcProviderArn.apply((providerArn) =>
        JSON.stringify(githubPreviewTrustPolicy({ providerArn, repository: args.repository })),
      ),
    });
    new aws.iam.RolePolicyAttachment(
      `${previewName}-read-only`,
      { role: preview.name, policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
      parent,
    );
    new aws.iam.RolePolicy(
      `${previewName}-no-data`,
      { role: preview.id, policy: JSON.stringify(previewGuardPolicy()) },
      parent,
    );

    this.deployRoleArn = deploy.arn;
    this.previewRoleArn = preview.arn;
    this.registerOutputs({
      deployRoleArn: this.deployRoleArn,
      previewRoleArn: this.previewRoleArn,
      oidcProviderArn: this.oidcProviderArn,
    });
  }
}
