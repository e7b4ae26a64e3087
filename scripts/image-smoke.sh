#!/usr/bin/env bash
# Runs a built image both ways it is deployed, on a read-only root filesystem, and the smoke suite against each:
# the node server (ECS and EKS override the command) and the Lambda handler (the image's default command)
# through the Runtime Interface Emulator the Lambda base image ships.
#
# The server gets /tmp the way ECS on Fargate mounts the task's bind mount there, and a database it cannot
# reach, so that it writes /tmp from the start (its prediction spool) as it does on ECS. The Lambda handler gets
# a writable tmpfs, as Lambda mounts its own /tmp.
#
# usage: scripts/image-smoke.sh <image>
#   needs: docker, jq, Node 24
set -euo pipefail

# The `docker run --mount` that mounts <path> as Fargate mounts a task bind mount there: a copy of the image's
# directory, owner and mode included, when the image declares the path a VOLUME (Docker populates a fresh
# volume the same way); otherwise an empty directory owned by root, mode 0755. AWS docs, "Use bind mounts with
# Amazon ECS", considerations; aws/containers-roadmap#938.
fargate_bind_mount() { # <image> <path>
  local volumes
  volumes=$(docker image inspect --format '{{json .Config.Volumes}}' "$1")
  if jq -e --arg path "$2" '(. // {}) | has($path)' <<<"$volumes" >/dev/null; then
    echo "type=volume,dst=$2"
  else
    echo "type=tmpfs,dst=$2,tmpfs-mode=0755"
  fi
}

main() {
  cd "$(dirname "$0")/.."
  local image=${1:?usage: scripts/image-smoke.sh <image>}
  local tmp_mount
  tmp_mount=$(fargate_bind_mount "$image" /tmp)

  trap cleanup EXIT
  server=$(docker run --detach --read-only --mount "$tmp_mount" \
    --env DATABASE_URL=postgres://glyco@127.0.0.1:9/glyco \
    --publish 127.0.0.1:18080:8080 "$image" node dist/server.mjs)
  lambda=$(docker run --detach --read-only --tmpfs /tmp --env DATABASE_URL=off \
    --publish 127.0.0.1:19000:8080 "$image")

  node packages/delivery/src/smoke/smoke-cli.ts http://127.0.0.1:18080/
  node packages/delivery/src/smoke/smoke-cli.ts \
    --lambda-invoke-url http://127.0.0.1:19000/2015-03-31/functions/function/invocations
}

server='' lambda=''
cleanup() {
  local status=$? container
  for container in ${server:+server} ${lambda:+lambda}; do
    ((status == 0)) || { echo "--- $container logs" >&2 && docker logs "${!container}" >&2; }
    docker rm --force "${!container}" >/dev/null
  done
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  main "$@"
fi
