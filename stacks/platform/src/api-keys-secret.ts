import { apiKeysSecretName, type Environment, type Tags } from '@glyco/infra';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface ApiKeysSecretArgs {
  env: Environment;
  /** The environment's data key: the secret opens only through it. */
  kmsKeyArn: pulumi.Input<string>;
  protect: boolean;
  tags: Tags;
}

/**
 * The API keys the app accepts, as `{"keys": [{"name", "sha256", "scopes"}]}` (hashes only: a key is shown once,
 * by `glyco keys create`). It starts empty, so that a new environment answers 401 until someone makes a key; its
 * value is then the operators' (`aws secretsmanager put-secret-value`), and Pulumi leaves it as it finds it.
 */
export class ApiKeysSecret extends pulumi.ComponentResource {
  readonly arn: pulumi.Output<string>;

  constructor(logicalName: string, args: ApiKeysSecretArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:platform:ApiKeysSecret', logicalName, {}, opts);
    const name = apiKeysSecretName(args.env);
    const secret = new aws.secretsmanager.Secret(
      name,
      {
        name,
        description: `Glyco ${args.env}: the SHA-256 hashes, names and scopes of the API keys the app accepts`,
        kmsKeyId: args.kmsKeyArn,
        tags: args.tags,
      },
      { parent: this, protect: args.protect },
    );
    new aws.secretsmanager.SecretVersion(
      name,
      { secretId: secret.id, secretString: JSON.stringify({ keys: [] }) },
      { parent: this, ignoreChanges: ['secretString'] },
    );
    this.arn = secret.arn;
    this.registerOutputs({ arn: this.arn });
  }
}
