#!/usr/bin/env bash
# Runs a built image both ways it is deployed, on a read-only root filesystem as Lambda has, and the smoke suite
# against each: the node server (ECS and EKS override the command) and the Lambda handler (the image's default
# command) through the Runtime Interface Emulator the Lambda base image ships.
#
# usage: scripts/image-smoke.sh <image>
#   needs: docker, Node 24
set -euo pipefail
cd "$(dirname "$0")/.."

image=${1:?usage: scripts/image-smoke.sh <image>}
run=(docker run --detach --read-only --tmpfs /tmp --env DATABASE_URL=off)

server=$("${run[@]}" --publish 127.0.0.1:18080:8080 "$image" node dist/server.mjs)
lambda=$("${run[@]}" --publish 127.0.0.1:19000:8080 "$image")
cleanup() {
  local status=$?
  if ((status)); then
    echo "--- server logs" >&2 && docker logs "$server" >&2
    echo "--- lambda logs" >&2 && docker logs "$lambda" >&2
  fi
  docker rm --force "$server" "$lambda" >/dev/null
}
trap cleanup EXIT

node packages/delivery/src/smoke-cli.ts http://127.0.0.1:18080/
node packages/delivery/src/smoke-cli.ts \
  --lambda-invoke-url http://127.0.0.1:19000/2015-03-31/functions/function/invocations
