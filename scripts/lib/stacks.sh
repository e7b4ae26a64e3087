# shellcheck shell=bash
# What the pipeline scripts share about the Pulumi projects under stacks/: one stack is `<project dir>` in
# `<env>`, named $PULUMI_ORG/<env> inside its project, and always run with the policy pack.

# shellcheck disable=SC2034 # read by the scripts that source this file
POLICY_PACK=packages/infra/policy

require_stack() { # <stack>
  [[ -f stacks/$1/Pulumi.yaml ]] || { echo "no Pulumi project at stacks/$1" >&2; exit 64; }
}

require_env() { # <env>
  [[ $1 == dev || $1 == prod ]] || { echo "environment must be dev or prod, not \"$1\"" >&2; exit 64; }
  : "${PULUMI_ORG:?set PULUMI_ORG to the Pulumi organization that owns the stacks}"
}

stack_args() { # <stack> <env>: the flags that select the stack, one per line (read with mapfile)
  printf '%s\n' --cwd "stacks/$1" --stack "$PULUMI_ORG/$2" --non-interactive
}

stack_output() { # <stack> <env> <output name>
  local args
  mapfile -t args < <(stack_args "$1" "$2")
  pulumi stack output "$3" "${args[@]}"
}

ecr_repository() { # <env>: the environment's image repository URL, a platform output
  stack_output platform "$1" ecrRepositoryUrl
}
