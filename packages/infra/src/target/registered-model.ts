import { parseModelSelector } from '@glyco/contract';
import { aliasKey, manifestKey } from '@glyco/registry/layout';
import * as aws from '@pulumi/aws';
import { knownValue, type PlatformReference } from '../platform-outputs.ts';
import { MODEL_REGISTRY_PREFIX } from '../workload-config.ts';

/**
 * Refuses, before anything is deployed, a `model` the environment's registry does not hold: the app resolves
 * `MODEL_URI` at startup and exits when there is nothing there, so ECS would roll the service back, EKS would wait
 * for a ready Deployment until its timeout, and Lambda would deploy a function that fails every cold start. An
 * alias exists once its record does, a version once its manifest does (the registry's layout, @glyco/registry).
 * The key is looked up by listing (aws.s3.getObjects: ListObjectsV2, terraform-provider-aws
 * internal/service/s3/objects_data_source.go), which needs `s3:ListBucket` only: the pull-request preview role
 * may list, never read objects.
 */
export async function requireRegisteredModel(platform: PlatformReference, model: string): Promise<void> {
  const bucket = await knownValue(platform.modelBucketName);
  const selector = parseModelSelector(model);
  const key = `${MODEL_REGISTRY_PREFIX}/${
    selector.kind === 'alias'
      ? aliasKey(selector.name, selector.alias)
      : manifestKey(selector.name, selector.version)
  }`;
  // The key itself sorts first among keys it is a prefix of, so one key answers.
  const { keys } = await aws.s3.getObjects({ bucket, prefix: key, maxKeys: 1 });
  if (keys[0] === key) return;
  const registry = `s3://${bucket}/${MODEL_REGISTRY_PREFIX}`;
  const [missing, fix] =
    selector.kind === 'alias'
      ? [
          `no alias "${selector.alias}" for ${selector.name}`,
          `pnpm glyco publish models/${selector.name}/<version> --registry ${registry}, then pnpm glyco ` +
            `promote ${selector.name} <version> --alias ${selector.alias} --registry ${registry}`,
        ]
      : [
          `no version ${selector.version} of ${selector.name}`,
          `pnpm glyco publish models/${selector.name}/${selector.version} --registry ${registry}`,
        ];
  throw new Error(
    `Config "model" (${model}): the registry ${registry} has ${missing} (no ${key}), so the app would stop at ` +
      `startup. Put it there first: ${fix} (README, "Deploy to AWS"; the deploy pipeline publishes and promotes ` +
      'the bundled model when an environment has no such alias yet).',
  );
}
