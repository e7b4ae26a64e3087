import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { knownValue, type PlatformReference, readPlatform } from '../platform-outputs.ts';
import type { StackContext } from '../stack-context.ts';

export interface TargetDeployment {
  platform: PlatformReference;
  /** The stack's config, with `org` and `image` filled in when they are not set. */
  config: pulumi.Config;
}

/**
 * What a bare `pulumi up` in a target stack leaves for the program to find, before any setting is read: the
 * Pulumi organization of the platform stack (`org`; by default the stack's own organization, which is also
 * `organization` on a self-managed backend) and the image to run (`image`; by default the newest image in the
 * platform's repository, or the one tagged `imageTag`, pinned by its digest). The pipeline sets both.
 */
export async function prepareTarget({ env, config }: StackContext): Promise<TargetDeployment> {
  const org = config.get('org') ?? pulumi.getOrganization();
  const platform = await readPlatform(org, env);
  const image =
    config.get('image') ?? (await newestImage(await knownValue(platform.ecrRepositoryUrl), config));
  return { platform, config: new ConfigWithDefaults({ org, image }) };
}

/** A project's config (this one's by default), where `get` and `require` answer the defaults for unset keys. */
export class ConfigWithDefaults extends pulumi.Config {
  readonly #defaults: Record<string, string>;

  constructor(defaults: Record<string, string>, project?: string) {
    super(project);
    this.#defaults = defaults;
  }

  override get<K extends string = string>(key: string, opts?: pulumi.StringConfigOptions<K>): K | undefined {
    return super.get(key, opts) ?? (this.#defaults[key] as K | undefined);
  }

  override require<K extends string = string>(key: string, opts?: pulumi.StringConfigOptions<K>): K {
    return this.get(key, opts) ?? super.require(key, opts);
  }
}

/** `<repository URL>@sha256:…` of the image tagged `imageTag`, or of the newest pushed when no tag is set. */
async function newestImage(repositoryUrl: string, config: pulumi.Config): Promise<string> {
  const tag = config.get('imageTag');
  const [registry = '', repositoryName = ''] = repositoryUrl.split('/', 2);
  try {
    const found = await aws.ecr.getImage({
      registryId: registry.split('.')[0],
      repositoryName,
      ...(tag ? { imageTag: tag } : { mostRecent: true }),
    });
    return `${repositoryUrl}@${found.imageDigest}`;
  } catch (error) {
    throw new Error(
      `Config "image" is not set and ${repositoryUrl} holds no image${tag ? ` tagged "${tag}"` : ''} ` +
        `(${(error as Error).message.split('\n')[0]}): push one (README, "Deploy to AWS"), ` +
        'set "imageTag" to a pushed tag, or set "image" to <repository>@sha256:<digest>.',
    );
  }
}
