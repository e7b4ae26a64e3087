#!/usr/bin/env bash
# Opens an issue when a drift report flags features, or comments on the drift issue already open, so that a
# drifting model makes one issue gathering the daily reports rather than one issue a day.
#
# usage: scripts/drift-issue.sh <report.json>
#   report: the JSON that `glyco drift --json` prints, or the one `glyco job --json` prints (the drift report and
#   what the retrain decided, which the issue then says); needs: gh with GH_TOKEN (issues: write), jq
set -euo pipefail

(($# == 1)) || { sed -n '5,7p' "$0" >&2; exit 64; }
report=$1 retrain=
if jq -e 'type == "object" and has("drift") and has("exitCode")' "$report" >/dev/null 2>&1; then
  retrain=$(jq -r '.retrain as $r | if $r then
    "Retrain: **\($r.run.decision)**: \($r.run.reason) (run \($r.run.id), \($r.uri))" else "Retrain: none ran" end' "$report")
  drift=$(mktemp)
  trap 'rm -f "$drift"' EXIT
  jq '.drift' "$report" >"$drift"
  report=$drift
fi
jq -e '.model.name and (.drifted | type == "array") and (.features | type == "array")' "$report" >/dev/null ||
  { echo "$report is not a drift report" >&2; exit 65; }

drifted=$(jq -r '.drifted | join(", ")' "$report")
if [[ -z $drifted ]]; then
  echo "no feature drifts"
  exit 0
fi

model=$(jq -r '"\(.model.name) \(.model.version)"' "$report")
body=$(
  jq -r '
    def fixed: if . == null then "–" else (. * 1000 | round / 1000 | tostring) end;
    "Drift report of **\(.model.name) \(.model.version)** over \(.rows.analysed) logged predictions " +
    "(window \(.window.since // "start") – \(.window.until // "now")). Features whose PSI exceeds " +
    "\(.psi_threshold) are flagged.\n\n| feature | status | PSI | KS | values |\n| --- | --- | --- | --- | --- |\n" +
    ([.features[] | "| \(.feature) | \(.status) | \(.psi | fixed) | \(.ks | fixed) | \(.count) |"] | join("\n"))
  ' "$report"
)
[[ -z $retrain ]] || body+=$'\n\n'"$retrain"
if [[ -n ${GITHUB_SERVER_URL:-} && -n ${GITHUB_RUN_ID:-} ]]; then
  body+=$'\n\n'"Run: $GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID"
fi

gh label create drift --color d93f0b --description "Feature drift in served predictions" 2>/dev/null || true
open=$(gh issue list --label drift --state open --limit 1 --json number --jq '.[0].number // empty')
if [[ -n $open ]]; then
  gh issue comment "$open" --body "$body"
  echo "drift in $drifted: commented on issue #$open"
else
  gh issue create --title "Feature drift in $model: $drifted" --label drift --body "$body"
fi
