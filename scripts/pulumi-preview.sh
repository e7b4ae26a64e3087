#!/usr/bin/env bash
# Previews one stack in one environment with the policy pack and prints a Markdown report (for the pull request).
# A pull request has no image of its own (the deploy pushes it once merged): target stacks are previewed with
# the image they run now, or the newest in the environment's ECR repository. Exits with pulumi's status.
#
# usage: scripts/pulumi-preview.sh <stack> <dev|prod>
#   needs: PULUMI_ORG, a Pulumi login (PULUMI_ACCESS_TOKEN), AWS credentials for the environment
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/stacks.sh
source scripts/lib/stacks.sh

(($# == 2)) || { sed -n '6,7p' "$0" >&2; exit 64; }
stack=$1 env=$2
require_stack "$stack"
require_env "$env"
mapfile -t args < <(run_args "$stack" "$env")

if [[ $stack != platform ]]; then
  image=$(stack_output "$stack" "$env" image 2>/dev/null || true)
  if [[ -z $image ]]; then
    repository=$(ecr_repository "$env")
    digest=$(aws ecr describe-images --repository-name "${repository#*/}" \
      --query 'sort_by(imageDetails, &imagePushedAt)[-1].imageDigest' --output text)
    [[ $digest == sha256:* ]] || { echo "no image in $repository yet: deploy once, then preview $stack" >&2; exit 1; }
    image=$repository@$digest
  fi
  args+=(--config "image=$image")
fi

status=0
output=$(pulumi preview --diff --color never "${args[@]}" 2>&1) || status=$?
# A comment holds 65536 characters; the end of the output (the summary, policy violations) matters most.
if ((${#output} > 60000)); then output="(first $((${#output} - 60000)) characters cut)…${output: -60000}"; fi
verdict=$([[ $status == 0 ]] && echo "succeeded" || echo "**failed** (exit $status)")
fence='```'
printf '#### %spulumi preview%s of glyco-%s/%s %s\n\n<details><summary>output</summary>\n\n%s\n%s\n%s\n</details>\n' \
  '`' '`' "$stack" "$env" "$verdict" "$fence" "$output" "$fence"
exit "$status"
