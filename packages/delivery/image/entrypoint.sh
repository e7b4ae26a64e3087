#!/bin/sh
# The image's entry point, one image for three targets. Lambda starts it with the image's CMD, a single handler
# name (dist/lambda.handler), and gets AWS's runtime interface client. ECS and EKS override the command with a
# program (node dist/server.mjs), which runs as given, whether they replace the entry point too or not.
set -eu

LAMBDA_ENTRYPOINT=${GLYCO_LAMBDA_ENTRYPOINT:-/lambda-entrypoint.sh}

if [ "$#" -eq 0 ]; then
  echo "usage: a Lambda handler (dist/lambda.handler) or a command (node dist/server.mjs)" >&2
  exit 64
fi
if [ "$#" -eq 1 ] && ! command -v "$1" >/dev/null 2>&1; then
  exec "$LAMBDA_ENTRYPOINT" "$1"
fi
exec "$@"
