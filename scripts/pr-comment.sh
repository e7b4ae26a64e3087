#!/usr/bin/env bash
# Creates, or updates in place, this pipeline's comment on a pull request, found by a hidden marker: each push
# updates one comment per marker instead of adding another.
#
# usage: scripts/pr-comment.sh <pull request number> <marker> <body.md>
#   needs: gh with GH_TOKEN, GITHUB_REPOSITORY (<owner>/<repo>)
set -euo pipefail

(($# == 3)) || { sed -n '5,6p' "$0" >&2; exit 64; }
pr=$1 marker=$2 body_file=$3
: "${GITHUB_REPOSITORY:?set GITHUB_REPOSITORY to <owner>/<repo>}"
[[ $pr =~ ^[0-9]+$ ]] || { echo "not a pull request number: $pr" >&2; exit 64; }

tag="<!-- $marker -->"
body="$tag"$'\n'"$(<"$body_file")"
comments="repos/$GITHUB_REPOSITORY/issues/$pr/comments"
id=$(gh api --paginate "$comments" --jq ".[] | select(.body | startswith(\"$tag\")) | .id" | head -n 1)
if [[ -n $id ]]; then
  gh api --method PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$id" --field body="$body" >/dev/null
else
  gh api --method POST "$comments" --field body="$body" >/dev/null
fi
