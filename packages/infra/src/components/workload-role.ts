import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { type AppAccess, appAccessPolicy, type PolicyDocument } from '../iam/documents.ts';
import type { Tags } from '../naming.ts';

type Unwrapped<T> = { [K in keyof T]: pulumi.Input<T[K]> };

export interface WorkloadRoleArgs {
  roleName: string;
  /** Who may assume the role: a service trust policy or an IRSA trust, as JSON. */
  assumeRolePolicy: pulumi.Input<string>;
  /** The environment's workload boundary (platform output `workloadBoundaryArn`): the most the role may do. */
  permissionsBoundary: pulumi.Input<string>;
  /** What the app reads: the model registry and its database secret. */
  appAccess: Unwrapped<AppAccess>;
  /** Further inline documents the runtime needs (e.g. writing its own log group), by purpose. */
  extraPolicies?: Record<string, pulumi.Input<PolicyDocument>>;
  tags: Tags;
}

/** The role the inference app runs as, on any target: least privilege from `appAccessPolicy`. */
export class WorkloadRole extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;
  readonly roleName: pulumi.Output<string>;

  constructor(name: string, args: WorkloadRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:infra:WorkloadRole', name, {}, opts);
    const parent = { parent: this };
    const role = new aws.iam.Role(
      name,
      {
        name: args.roleName,
        assumeRolePolicy: args.assumeRolePolicy,
        permissionsBoundary: args.permissionsBoundary,
        tags: args.tags,
      },
      parent,
    );
    const documents: Record<string, pulumi.Input<PolicyDocument>> = {
      'app-access': pulumi.output(args.appAccess).apply((access) => appAccessPolicy(access)),
      ...args.extraPolicies,
    };
    for (const [purpose, document] of Object.entries(documents)) {
      new aws.iam.RolePolicy(
        `${name}-${purpose}`,
        { role: role.id, policy: pulumi.jsonStringify(pulumi.output(document)) },
        parent,
      );
    }
    this.roleArn = role.arn;
    this.roleName = role.name;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
