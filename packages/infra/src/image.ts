export interface ImageReference {
  uri: string;
  accountId: string;
  region: string;
  repository: string;
  digest: string;
}

// <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>@sha256:<64 hex>
const ECR_IMAGE =
  /^(?<accountId>\d{12})\.dkr\.ecr\.(?<region>[a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?\/(?<repository>[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)@(?<digest>sha256:[a-f0-9]{64})$/;

/**
 * The image to deploy is pinned by digest: a tag can be moved, a digest cannot, so what was tested is what runs.
 */
export function parseImageReference(uri: string): ImageReference {
  const match = ECR_IMAGE.exec(uri.trim());
  if (!match?.groups) {
    throw new Error(
      `Config "image" must be an ECR image pinned by digest, ` +
        `<account>.dkr.ecr.<region>.amazonaws.com/<repository>@sha256:<64 hex digits>; got "${uri}".`,
    );
  }
  const { accountId, region, repository, digest } = match.groups as Record<string, string>;
  return {
    uri: uri.trim(),
    accountId: accountId!,
    region: region!,
    repository: repository!,
    digest: digest!,
  };
}
