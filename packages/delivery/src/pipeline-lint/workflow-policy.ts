import { parse } from 'yaml';

/** One broken rule in one workflow file. */
export interface Violation {
  file: string;
  rule: string;
  message: string;
}

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}

interface Job {
  permissions?: unknown;
  environment?: string | { name?: string };
  steps?: Step[];
  uses?: string;
}

interface Workflow {
  on?: unknown;
  permissions?: unknown;
  concurrency?: unknown;
  jobs?: Record<string, Job>;
}

type Report = (rule: string, message: string) => void;

const AWS_CREDENTIALS_ACTION = 'aws-actions/configure-aws-credentials';

/** Static AWS credentials in any form: action inputs, environment variables, or a key id itself. */
const STATIC_AWS_KEY =
  /aws-access-key-id|aws-secret-access-key|aws-session-token|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/;

/** `owner/repo[/path]@<40-hex commit> # v1.2.3`: a commit cannot be moved the way a tag can. */
const PINNED_USES = /^[\w.-]+\/[\w.-]+(?:\/[\w./-]+)?@[0-9a-f]{40}$/;
const VERSION_COMMENT = /^v?\d+(?:\.\d+){0,2}$/;

/**
 * Values an outsider controls (titles, bodies, branch names): interpolated into a `run:` script they are code.
 * They must reach scripts through `env:` instead.
 */
const UNTRUSTED_EXPRESSION = /\$\{\{\s*github\.(?:event\.|head_ref)/;

/** Write scopes and the step that needs each one; a write scope without such a step is excess privilege. */
const WRITE_NEEDS: Record<string, (step: Step) => boolean> = {
  'id-token': (step) => assumesAwsRole(step),
  'pull-requests': (step) => /\bgh pr comment\b|scripts\/pr-comment\.sh/.test(step.run ?? ''),
  issues: (step) => /\bgh issue\b|scripts\/drift-issue\.sh/.test(step.run ?? ''),
};

const PROD_ENVIRONMENT = 'prod';

/** The read-only roles pull requests preview with (`vars.AWS_PREVIEW_ROLE_ARN_<ENV>`); any other role can write. */
const PREVIEW_ROLE = /PREVIEW/;

/** Checks one workflow file's text against the pipeline's security rules. */
export function checkWorkflow(file: string, text: string): Violation[] {
  const violations: Violation[] = [];
  const report: Report = (rule, message) => violations.push({ file, rule, message });
  const workflow = parseYaml<Workflow>(text, report);
  if (!workflow) return violations;
  const jobs = Object.entries(workflow.jobs ?? {});

  checkCredentialsAndPins(text, report);
  if (triggers(workflow).includes('pull_request_target')) {
    report(
      'no-pull-request-target',
      'pull_request_target runs untrusted code with secrets; use pull_request',
    );
  }
  const workflowScopes = grantedScopes(workflow.permissions);
  if (workflowScopes === undefined) {
    report(
      'least-permissions',
      'workflow-level permissions must be a map of scopes, not absent or read/write-all',
    );
  } else if (writesOf(workflowScopes).length > 0) {
    report('least-permissions', 'workflow-level permissions must be read-only; grant writes per job');
  }

  for (const [id, job] of jobs) {
    const steps = job.steps ?? [];
    const scopes = grantedScopes(job.permissions);
    const writes = scopes ? writesOf(scopes) : [];
    if (scopes === undefined) {
      report('least-permissions', `job "${id}" must declare its permissions as a map of scopes`);
    }
    for (const scope of writes) {
      const need = WRITE_NEEDS[scope];
      if (!need || !steps.some(need)) {
        report('least-permissions', `job "${id}" grants ${scope}: write that none of its steps needs`);
      }
    }

    for (const step of steps.filter(assumesAwsRole)) {
      if (!step.with?.['role-to-assume']) {
        report('oidc-only', `job "${id}" configures AWS credentials without role-to-assume`);
      }
      if (!writes.includes('id-token')) {
        report('oidc-only', `job "${id}" configures AWS credentials without id-token: write`);
      }
      const role = String(step.with?.['role-to-assume'] ?? '');
      if (/prod/i.test(role) && environmentName(job) !== PROD_ENVIRONMENT) {
        report('prod-gated', `job "${id}" assumes a prod role outside the "${PROD_ENVIRONMENT}" environment`);
      }
      if (triggers(workflow).includes('pull_request') && !PREVIEW_ROLE.test(role)) {
        report(
          'previews-read-only',
          `job "${id}" runs for pull requests but assumes a role that is not a preview role`,
        );
      }
    }

    for (const step of steps) {
      if (step.run && UNTRUSTED_EXPRESSION.test(step.run)) {
        report(
          'no-script-injection',
          `job "${id}" interpolates event data into a run script; pass it via env`,
        );
      }
      if (usesAction(step, 'actions/checkout') && step.with?.['persist-credentials'] !== false) {
        report('no-persisted-token', `job "${id}" checks out with persist-credentials other than false`);
      }
    }
  }

  const deploys =
    triggers(workflow).includes('push') && jobs.some(([, job]) => environmentName(job) !== undefined);
  if (deploys && !hasSerialConcurrency(workflow.concurrency)) {
    report('serial-deploys', 'a deploying workflow needs a concurrency group with cancel-in-progress: false');
  }
  return violations;
}

/**
 * Checks a local composite action (`.github/actions/<name>/action.yml`): no static AWS keys, pinned actions,
 * and AWS credentials only from a role. Permissions and environments belong to the calling job.
 */
export function checkCompositeAction(file: string, text: string): Violation[] {
  const violations: Violation[] = [];
  const report: Report = (rule, message) => violations.push({ file, rule, message });
  checkCredentialsAndPins(text, report);
  const steps = parseYaml<{ runs?: { steps?: Step[] } }>(text, report)?.runs?.steps ?? [];
  for (const step of steps.filter((step) => usesAction(step, AWS_CREDENTIALS_ACTION))) {
    if (!step.with?.['role-to-assume'])
      report('oidc-only', 'configures AWS credentials without role-to-assume');
  }
  return violations;
}

function parseYaml<T>(text: string, report: Report): T | undefined {
  try {
    const parsed = parse(text) as T | null;
    if (parsed && typeof parsed === 'object') return parsed;
    report('yaml', 'not a YAML mapping');
  } catch (error) {
    report('yaml', (error as Error).message);
  }
  return undefined;
}

function checkCredentialsAndPins(text: string, report: Report): void {
  if (STATIC_AWS_KEY.test(text)) {
    report('oidc-only', 'static AWS credentials appear; assume a role through OIDC instead');
  }
  checkPinnedActions(text, report);
}

function checkPinnedActions(text: string, report: Report): void {
  for (const [index, line] of text.split('\n').entries()) {
    const match = /^\s*(?:-\s+)?uses:\s*(['"]?)([^\s'"#]+)\1\s*(?:#\s*(\S+))?/.exec(line);
    if (!match) continue;
    const [, , target = '', comment] = match;
    if (target.startsWith('./') || /^docker:\/\/[^@]+@sha256:[0-9a-f]{64}$/.test(target)) continue;
    if (!PINNED_USES.test(target)) {
      report('pinned-actions', `line ${index + 1}: ${target} is not pinned to a 40-hex commit`);
    } else if (!comment || !VERSION_COMMENT.test(comment)) {
      report('pinned-actions', `line ${index + 1}: ${target} has no "# vX.Y.Z" comment naming its version`);
    }
  }
}

/**
 * The scopes a `permissions:` value grants, or `undefined` when it is absent (the repository default applies)
 * or `read-all`/`write-all` (every scope at once).
 */
function grantedScopes(permissions: unknown): Record<string, unknown> | undefined {
  if (typeof permissions !== 'object' || permissions === null) return undefined;
  return permissions as Record<string, unknown>;
}

function writesOf(scopes: Record<string, unknown>): string[] {
  return Object.keys(scopes).filter((scope) => scopes[scope] === 'write');
}

function triggers(workflow: Workflow): string[] {
  const on = workflow.on;
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.map(String);
  return Object.keys(on ?? {});
}

/** The AWS credentials action, or a local action given the role to assume (it runs that action inside). */
function assumesAwsRole(step: Step): boolean {
  return (
    usesAction(step, AWS_CREDENTIALS_ACTION) ||
    (!!step.uses?.startsWith('./') && 'role-to-assume' in (step.with ?? {}))
  );
}

function usesAction(step: Step, action: string): boolean {
  return step.uses?.split('@')[0] === action;
}

function environmentName(job: Job): string | undefined {
  return typeof job.environment === 'string' ? job.environment : job.environment?.name;
}

function hasSerialConcurrency(concurrency: unknown): boolean {
  if (typeof concurrency === 'string') return true;
  if (typeof concurrency !== 'object' || concurrency === null) return false;
  const { group, 'cancel-in-progress': cancel } = concurrency as Record<string, unknown>;
  return Boolean(group) && cancel === false;
}
