# shellcheck shell=bash
# What the pipeline scripts share about the Pulumi projects under stacks/: one stack is `<project dir>` in
# `<env>`, named $PULUMI_ORG/<env> inside its project, and always run with the policy pack.

# The policy pack as `--policy-pack` takes it beside `--cwd stacks/<stack>`: the CLI changes into --cwd before it
# reads the other flags' paths (pulumi/pulumi pkg/cmd/pulumi/pulumi.go, PersistentPreRun: os.Chdir(cwd); by design,
# pulumi/pulumi-policy#251), so the path is the project directory's.
POLICY_PACK=../../packages/infra/policy

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

# The flags of `pulumi preview` and `pulumi up` for one stack: the stack, the policy pack, the installation
# config. One per line.
run_args() { # <stack> <env>
  stack_args "$1" "$2"
  printf '%s\n' --policy-pack "$POLICY_PACK"
  installation_config "$1"
}

# The per-installation config the pipeline knows: the platform's GitHub repository (whose deploy jobs its roles
# trust) and the targets' Pulumi organization (where they find the platform stack). One flag per line.
installation_config() { # <stack>
  if [[ $1 == platform ]]; then
    [[ -z ${GITHUB_REPOSITORY:-} ]] || printf '%s\n' --config "githubRepository=$GITHUB_REPOSITORY"
  else
    printf '%s\n' --config "org=$PULUMI_ORG"
  fi
}

# Creates the stack when it does not exist yet (a target's first deploy by the pipeline), and selects it: `pulumi up
# --non-interactive --stack …` does not create one (pulumi/pulumi#9866), `pulumi stack select --create` does
# (https://www.pulumi.com/docs/iac/cli/commands/pulumi_stack_select/). Its config is the committed
# Pulumi.<env>.yaml either way.
ensure_stack() { # <stack> <env>
  local args
  mapfile -t args < <(stack_args "$1" "$2")
  pulumi stack select --create "${args[@]}" >&2
}

stack_output() { # <stack> <env> <output name>
  local args
  mapfile -t args < <(stack_args "$1" "$2")
  pulumi stack output "$3" "${args[@]}"
}

ecr_repository() { # <env>: the environment's image repository URL, a platform output
  stack_output platform "$1" ecrRepositoryUrl
}
