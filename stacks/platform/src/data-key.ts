import type { Environment, Tags } from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface DataKeyArgs {
  env: Environment;
  name: (purpose: string) => string;
  /** Refuse to schedule the key's deletion (prod): everything it encrypts would become unreadable. */
  protect: boolean;
  tags: Tags;
}

/** The environment's customer-managed KMS key for data at rest: the database, its master secret, the API keys secret. */
export class DataKey extends pulumi.ComponentResource {
  readonly arn: pulumi.Output<string>;

  constructor(logicalName: string, args: DataKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:platform:DataKey', logicalName, {}, opts);
    const { env, name, tags } = args;
    const key = new aws.kms.Key(
      name('data'),
      {
        description: `Glyco ${env}: encrypts the database and its master secret`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags,
      },
      { parent: this, protect: args.protect },
    );
    new aws.kms.Alias(
      name('data'),
      { name: `alias/${name('data')}`, targetKeyId: key.keyId },
      { parent: this },
    );
    this.arn = key.arn;
    this.registerOutputs({ arn: this.arn });
  }
}
