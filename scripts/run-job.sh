#!/usr/bin/env bash
# Starts the environment's job (stacks/jobs: `glyco job … --json` on Fargate) now, exactly as its schedule does
# (the schedule's own task definition revision, cluster and network), optionally with another retrain policy; waits
# for it to stop; prints the job's JSON result (the last JSON line it wrote to stdout, read back from its log) and
# exits with the job's exit code, annotating the GitHub run. ECS failures (no task placed, a task that never ran its
# command, a job that died before its result) exit 70 with ECS's reason.
#
# usage: scripts/run-job.sh <dev|prod> [--retrain never|on-drift|always]
#   needs: AWS credentials of the jobs workflow role (jobs stack output workflowRoleArn), aws, jq
set -euo pipefail

usage() { sed -n '8,9p' "$0" >&2; exit 64; }
(($# == 1 || $# == 3)) || usage
env=$1 retrain=
[[ $env == dev || $env == prod ]] || usage
if (($# == 3)); then
  [[ $2 == --retrain && $3 =~ ^(never|on-drift|always)$ ]] || usage
  retrain=$3
fi
# The jobs stack's names (stacks/jobs/src/schedule.ts).
group=glyco-$env-jobs schedule=glyco-$env-job
# A job runs for minutes, retraining included; `aws ecs wait tasks-stopped` gives up after 10 (100 polls, 6 s apart).
max_waits=${RUN_JOB_MAX_WAITS:-9}

fail() { echo "::error::$*" >&2; exit 70; }

target=$(aws scheduler get-schedule --group-name "$group" --name "$schedule" --query Target --output json)
cluster=$(jq -r .Arn <<<"$target")
task_definition=$(jq -r .EcsParameters.TaskDefinitionArn <<<"$target")
# Scheduler spells the network configuration in its own case (Subnets…); RunTask takes ECS's (subnets…).
network=$(jq -c '.EcsParameters.NetworkConfiguration.awsvpcConfiguration
  | {awsvpcConfiguration: {subnets: .Subnets, securityGroups: .SecurityGroups, assignPublicIp: .AssignPublicIp}}' \
  <<<"$target")
container=$(aws ecs describe-task-definition --task-definition "$task_definition" \
  --query 'taskDefinition.containerDefinitions[0]' --output json)
name=$(jq -r .name <<<"$container")
overrides=$(jq -c --arg retrain "$retrain" '
  .command as $command
  | ($command | index("--retrain")) as $at
  | (if $retrain == "" then $command
     elif $at == null then $command + ["--retrain", $retrain]
     else $command | .[$at + 1] = $retrain end) as $run
  | {containerOverrides: [{name, command: $run}]}
' <<<"$container")

started=$(aws ecs run-task --cluster "$cluster" --task-definition "$task_definition" --launch-type FARGATE \
  --network-configuration "$network" --overrides "$overrides" --started-by "github-${GITHUB_RUN_ID:-manual}" \
  --output json)
task=$(jq -r '.tasks[0].taskArn // empty' <<<"$started")
[[ -n $task ]] || fail "ECS started no job task: $(jq -c '.failures' <<<"$started")"
echo "started $task ($task_definition${retrain:+, --retrain $retrain})" >&2

# A cancelled workflow run stops the task rather than leave it running unwatched.
stop_task() { aws ecs stop-task --cluster "$cluster" --task "$task" --reason "workflow run cancelled" >/dev/null || true; }
trap 'stop_task; exit 130' INT TERM
waits=0
until waited=$(aws ecs wait tasks-stopped --cluster "$cluster" --tasks "$task" 2>&1); do
  # The waiter gives up with "Waiter TasksStopped failed: Max attempts exceeded"; anything else is an error.
  [[ $waited == *"Max attempts exceeded"* ]] || { stop_task; fail "waiting for $task failed: $waited"; }
  ((++waits < max_waits)) || { stop_task; fail "the job ran longer than $((max_waits * 10)) minutes: stopped it"; }
done
trap - INT TERM

stopped=$(aws ecs describe-tasks --cluster "$cluster" --tasks "$task" --query 'tasks[0]' --output json)
exit_code=$(jq -r --arg name "$name" '.containers[] | select(.name == $name) | .exitCode // empty' <<<"$stopped")
[[ -n $exit_code ]] || fail "the job task stopped before its command ran: $(jq -r '.stoppedReason // "no reason given"' <<<"$stopped")"

# The awslogs driver names a task's stream <prefix>/<container>/<task id>
# (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html); the newest events come last.
log_group=$(jq -r '.logConfiguration.options["awslogs-group"]' <<<"$container")
stream="$(jq -r '.logConfiguration.options["awslogs-stream-prefix"]' <<<"$container")/$name/${task##*/}"
result=$(aws logs get-log-events --log-group-name "$log_group" --log-stream-name "$stream" --limit 200 \
  --query events --output json |
  jq -c '[.[].message | try fromjson catch null | select(type == "object" and has("exitCode") and has("drift"))] | last // empty')
if [[ -z $result ]]; then
  echo "::error::the job exited $exit_code with no JSON result in $log_group $stream" >&2
  exit "$((exit_code == 0 ? 70 : exit_code))"
fi
echo "$result"

decision=$(jq -r 'if .retrain then "\(.retrain.run.decision): \(.retrain.run.reason)" else "no retrain" end' <<<"$result")
drifted=$(jq -r '(.drift.drifted // []) | if length == 0 then "no feature drifted" else "drifted: " + join(", ") end' <<<"$result")
case $exit_code in
  0) echo "::notice::the job exited 0: $drifted; $decision" >&2 ;;
  3 | 4) echo "::warning::the job exited $exit_code: $drifted; $decision" >&2 ;;
  *) echo "::error::the job exited $exit_code: $drifted; $decision$(jq -r '.error // "" | if . == "" then "" else " (\(.))" end' <<<"$result")" >&2 ;;
esac
exit "$exit_code"
