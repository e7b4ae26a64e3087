import type { Tags } from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface ContainerRepositoryArgs {
  repositoryName: string;
  /** How many images to keep; older ones expire (a deployed image is pinned by digest, so keep enough). */
  keepImages: number;
  /** Refuse to delete or replace the repository (prod). */
  protect: boolean;
  tags: Tags;
}

/** The ECR repository for the one app image: scanned on push, tags immutable, old images expire. */
export class ContainerRepository extends pulumi.ComponentResource {
  readonly repositoryUrl: pulumi.Output<string>;
  readonly repositoryArn: pulumi.Output<string>;

  constructor(name: string, args: ContainerRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:infra:ContainerRepository', name, {}, opts);
    const repository = new aws.ecr.Repository(
      name,
      {
        name: args.repositoryName,
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: 'AES256' }],
        tags: args.tags,
      },
      { parent: this, protect: args.protect },
    );
    new aws.ecr.LifecyclePolicy(
      name,
      { repository: repository.name, policy: JSON.stringify(ecrLifecyclePolicy(args.keepImages)) },
      { parent: this },
    );
    this.repositoryUrl = repository.repositoryUrl;
    this.repositoryArn = repository.arn;
    this.registerOutputs({ repositoryUrl: this.repositoryUrl });
  }
}

export function ecrLifecyclePolicy(keepImages: number) {
  return {
    rules: [
      {
        rulePriority: 1,
        description: 'Expire untagged images (failed or superseded pushes) after 7 days',
        selection: {
          tagStatus: 'untagged',
          countType: 'sinceImagePushed',
          countUnit: 'days',
          countNumber: 7,
        },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: `Keep the ${keepImages} most recent images`,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: keepImages },
        action: { type: 'expire' },
      },
    ],
  };
}
