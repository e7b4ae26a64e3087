import type { Environment } from '../environment.ts';
import { GITHUB_ROLE_PURPOSES, workloadBoundaryPolicy } from '../iam/boundary.ts';
import { actionMatches, asList, type PolicyDocument, statementsOf } from '../iam/documents.ts';
import { resourceName } from '../naming.ts';
import { platformFixture } from './platform-fixture.ts';
import type { StackRun } from './run-stack.ts';

export interface Boundary {
  arn: string;
  policy: PolicyDocument;
}

/** The workload boundary as the platform builds it from the platform outputs the target stacks' tests read. */
export function fixtureBoundary(env: Environment): Boundary {
  const platform = platformFixture(env);
  return {
    arn: platform.workloadBoundaryArn,
    policy: workloadBoundaryPolicy({
      accountId: platform.accountId,
      region: platform.region,
      env,
      modelBucketArn: platform.modelBucketArn,
      dataKeyArn: platform.databaseKmsKeyArn,
    }),
  };
}

/**
 * What a stack's roles would lose or gain against the boundary: a role without it, and an action of an inline
 * policy that no Allow of the boundary covers (AWS would silently deny it at run time). The GitHub Actions roles
 * are the ones an administrator creates without a boundary. Empty when every role fits.
 */
export function boundaryGaps(
  run: Pick<StackRun, 'resources'>,
  env: Environment,
  boundary: Boundary,
): string[] {
  const pipelineRoles = Object.values(GITHUB_ROLE_PURPOSES).map((purpose) => resourceName(env, purpose));
  const bounded = run.resources.filter(
    (resource) => !pipelineRoles.some((role) => resource.name.startsWith(role)),
  );
  const allowed = boundary.policy.Statement.filter((statement) => statement.Effect === 'Allow').flatMap(
    (statement) => asList(statement.Action),
  );
  const unbounded = bounded
    .filter((resource) => resource.type === 'aws:iam/role:Role')
    .filter((role) => role.props.permissionsBoundary !== boundary.arn)
    .map((role) => `role ${role.name} does not carry ${boundary.arn}`);
  const uncovered = bounded
    .filter((resource) => resource.type === 'aws:iam/rolePolicy:RolePolicy')
    .flatMap((policy) =>
      statementsOf(policy.props.policy)
        .filter((statement) => statement.Effect === 'Allow')
        .flatMap((statement) => asList(statement.Action))
        .filter((action) => !allowed.some((pattern) => actionMatches(pattern, action)))
        .map((action) => `${policy.name} allows "${action}", which the boundary does not`),
    );
  return [...unbounded, ...uncovered];
}
