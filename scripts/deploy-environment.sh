#!/usr/bin/env bash
# Deploys one environment. Before anything changes, each target's committed config is checked as its program reads
# it. Then `pulumi up` for the given stacks, platform first (each stack created if missing); the image, built once
# as an OCI archive, pushed to the environment's ECR repository with its digest preserved (every environment runs
# the same bytes), and so is the jobs image when the jobs stack is deployed; the models the targets serve put in the environment's registry if it has none yet (from the
# bundled registry); each target stack pointed at its digest; each serving target's endpoint smoke-tested from its
# outputs.
#
# usage: scripts/deploy-environment.sh <dev|prod> <image.tar> <stack>...
#   stack: a directory under stacks/ (platform, lambda, ecs, eks, jobs), as affected-stacks-cli.ts prints them
#   needs: PULUMI_ORG, a Pulumi login (PULUMI_ACCESS_TOKEN), AWS credentials for the environment, skopeo, jq, node;
#   JOBS_IMAGE_ARCHIVE, the jobs image's archive (`docker build --target jobs`), when the stacks include jobs
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/stacks.sh
source scripts/lib/stacks.sh

ENDPOINT_OUTPUT=url
# The stack that runs the jobs image (stacks/jobs): no endpoint, the CLI's image rather than the server's.
JOBS_STACK="jobs"
# The platform component whose resources (the permissions boundary, the GitHub OIDC provider and roles) the
# deploy role may not change: stacks/platform/src/pipeline-access.ts.
PIPELINE_ACCESS_TYPE=glyco:platform:PipelineAccess
# What Lambda runs: one image manifest, not an index (buildx writes one with attestations unless
# --provenance=false).
LAMBDA_MANIFEST_TYPES='application/vnd.oci.image.manifest.v1+json application/vnd.docker.distribution.manifest.v2+json'

(($# >= 3)) || { sed -n '9,12p' "$0" >&2; exit 64; }
env=$1 archive=$2
shift 2
require_env "$env"
[[ -f $archive ]] || { echo "no image archive at $archive" >&2; exit 66; }
if [[ " $* " == *" $JOBS_STACK "* && ! -f ${JOBS_IMAGE_ARCHIVE:-} ]]; then
  echo "the $JOBS_STACK stack runs the jobs image: set JOBS_IMAGE_ARCHIVE to its archive (docker build --target jobs)" >&2
  exit 66
fi
for tool in pulumi aws skopeo jq node; do
  command -v "$tool" >/dev/null || { echo "$tool is required and not on PATH" >&2; exit 69; }
done

# The archive must hold exactly one image manifest: the digest pushed is the one every target runs.
require_single_manifest() { # <archive>
  local archive=$1 index count media_type
  index=$(tar -xOf "$archive" index.json) || { echo "$archive has no index.json: not an OCI archive" >&2; exit 65; }
  count=$(jq '.manifests | length' <<<"$index")
  media_type=$(jq -r '.manifests[0].mediaType' <<<"$index")
  if [[ $count != 1 || " $LAMBDA_MANIFEST_TYPES " != *" $media_type "* ]]; then
    echo "$archive holds an image index or several manifests ($count, the first $media_type): Lambda runs a" \
      "single image manifest. Build one platform with --provenance=false (README, Container image and CI/CD pipeline)." >&2
    exit 65
  fi
}

pulumi_up() { # <stack> [extra pulumi args...]
  local stack=$1 args
  shift
  mapfile -t args < <(run_args "$stack" "$env")
  echo "::group::pulumi up glyco-$stack/$env"
  pulumi up --yes --diff "${args[@]}" "$@"
  echo "::endgroup::"
}

# Checks each target's committed config for this environment the way its program reads it (stacks/<target>/
# check-config.ts), all before anything changes: what `pulumi up` would refuse halfway through a deploy (a prod
# target without its domain) stops here. Fills `models` with the models the targets serve.
require_target_configs() { # <target>...
  local stack model refused=()
  models=()
  for stack in "$@"; do
    if model=$(node "stacks/$stack/check-config.ts" "$env"); then
      models+=("$model")
    else
      refused+=("stacks/$stack/Pulumi.$env.yaml")
    fi
  done
  ((${#refused[@]} == 0)) && return
  echo "::error::The committed config of ${refused[*]} is refused (above); nothing was deployed." >&2
  exit 78
}

# A new environment's registry is empty, and a target refuses to deploy a model its registry does not hold: the
# bundled one goes there first. An alias that exists is never moved (packages/delivery/src/first-model).
ensure_models() {
  local registry
  registry="s3://$(stack_output platform "$env" modelBucketName)/models"
  echo "::group::models in $registry"
  # What it publishes is signed with the platform's KMS key, which only this deploy role may sign with.
  AWS_REGION=$(stack_output platform "$env" region) node packages/delivery/src/first-model/first-model-cli.ts \
    --registry "$registry" --kms-signing-key "$(stack_output platform "$env" modelSigningKeyArn)" \
    --reason "first deploy of $env at ${GITHUB_SHA:-$(git rev-parse HEAD)}" "${models[@]}"
  echo "::endgroup::"
}

# Pushes an archive to the environment's repository under a tag, and prints <repository>@<digest>. The serving
# image is tagged with the commit, the jobs image with <commit>-jobs.
push_image() { # <archive> <tag>
  local archive=$1 tag=$2 repository digest existing
  repository=$(ecr_repository "$env")
  digest=$(tar -xOf "$archive" index.json | jq -r '.manifests[0].digest')
  # Tags are immutable: a re-run finds its own image, or a different build of the same commit, which it refuses.
  existing=$(aws ecr describe-images --repository-name "${repository#*/}" --image-ids "imageTag=$tag" \
    --query 'imageDetails[0].imageDigest' --output text 2>/dev/null || true)
  if [[ -n $existing && $existing != "$digest" ]]; then
    echo "$repository:$tag already holds $existing, not this build's $digest; re-run only the failed jobs" >&2
    exit 1
  fi
  if [[ -z $existing ]]; then
    aws ecr get-login-password | skopeo login --username AWS --password-stdin "${repository%%/*}" >&2
    skopeo copy --preserve-digests "oci-archive:$archive" "docker://$repository:$tag" >&2
  fi
  echo "$repository@$digest"
}

# A target's endpoint. EKS reports it once the load balancer controller has provisioned the load balancer, after
# `pulumi up` returns: until it is a URL, refresh and ask again, for up to five minutes.
endpoint_of() { # <stack>
  local endpoint tries=0
  endpoint=$(stack_output "$1" "$env" "$ENDPOINT_OUTPUT")
  while [[ $endpoint != http* ]] && ((tries++ < 10)); do
    echo "glyco-$1/$env url: $endpoint; asking again in 30 s" >&2
    sleep 30
    pulumi_up "$1" --refresh --config "image=$image" >&2
    endpoint=$(stack_output "$1" "$env" "$ENDPOINT_OUTPUT")
  done
  echo "$endpoint"
}

# Stops before a platform run that would change what only an administrator may change: the deploy role is
# explicitly denied it, so `pulumi up` would fail halfway. Prints the changes and the command to run instead.
require_no_access_change() {
  local args preview changes
  mapfile -t args < <(run_args platform "$env")
  if ! preview=$(pulumi preview --json "${args[@]}"); then
    echo "$preview" >&2
    echo "pulumi preview of glyco-platform/$env failed (its report is above)" >&2
    exit 1
  fi
  changes=$(jq -r --arg type "$PIPELINE_ACCESS_TYPE" '
    .steps[]? | select(.op != "same" and .op != "read") | select(.urn | contains($type))
    | (.urn | split("::")) as $parts | "  \(.op) \($parts[3]) (\($parts[2] | split("$") | last))"' <<<"$preview")
  [[ -z $changes ]] && return
  echo "::error::This change touches the platform's access control, which the deploy role may not change:" >&2
  echo "$changes" >&2
  echo "An administrator applies it with their own credentials, then re-runs this job:" >&2
  echo "  pulumi up --cwd stacks/platform --stack $PULUMI_ORG/$env --policy-pack $POLICY_PACK" \
    "--config githubRepository=${GITHUB_REPOSITORY:-<owner>/<repo>}" >&2
  exit 1
}

for stack in "$@"; do require_stack "$stack"; done
require_single_manifest "$archive"
[[ " $* " != *" $JOBS_STACK "* ]] || require_single_manifest "$JOBS_IMAGE_ARCHIVE"
targets=()
for stack in "$@"; do [[ $stack == platform ]] || targets+=("$stack"); done
require_target_configs "${targets[@]}"
for stack in "$@"; do ensure_stack "$stack" "$env"; done
if [[ " $* " == *" platform "* ]]; then
  require_no_access_change
  pulumi_up platform
fi
((${#targets[@]})) || exit 0

commit=${GITHUB_SHA:-$(git rev-parse HEAD)}
image=$(push_image "$archive" "$commit")
echo "image: $image"
[[ " ${targets[*]} " != *" $JOBS_STACK "* ]] || jobs_image=$(push_image "$JOBS_IMAGE_ARCHIVE" "$commit-jobs")
ensure_models
summary=${GITHUB_STEP_SUMMARY:-/dev/null}
printf "### %s\n\nimage \`%s\`\n\n" "$env" "$image" >>"$summary"
for stack in "${targets[@]}"; do
  if [[ $stack == "$JOBS_STACK" ]]; then
    # No endpoint to smoke-test: the job runs on its schedule, or now through retrain.yml.
    pulumi_up "$stack" --config "image=$jobs_image"
    printf -- "- %s: jobs image \`%s\`, schedule %s\n" "$stack" "$jobs_image" \
      "$(stack_output "$stack" "$env" schedule)" >>"$summary"
    continue
  fi
  pulumi_up "$stack" --config "image=$image"
  endpoint=$(endpoint_of "$stack")
  echo "::group::smoke test glyco-$stack/$env at $endpoint"
  node packages/delivery/src/smoke/smoke-cli.ts --ready-timeout 300 "$endpoint"
  echo "::endgroup::"
  printf -- '- %s: %s\n' "$stack" "$endpoint" >>"$summary"
done
