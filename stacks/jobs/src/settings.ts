import { checkAlias, checkName } from '@glyco/contract';
import {
  type Environment,
  type FargateSize,
  type ImageReference,
  parseImageReference,
  readFargateSize,
  SCORING_PREFIX,
} from '@glyco/infra';
import type * as pulumi from '@pulumi/pulumi';

/** `glyco job --retrain`: what the job does after its drift report (the CLI documents each). */
export const RETRAIN_POLICIES = ['never', 'on-drift', 'always'] as const;
export type RetrainPolicy = (typeof RETRAIN_POLICIES)[number];

/** Every config key the jobs stack reads (documented in the README, "Operations: the jobs"). */
export interface JobsSettings {
  /** Pulumi organization that owns the platform stack. */
  org: string;
  /** The jobs image (`docker build --target jobs`), pinned by digest. */
  image: ImageReference;
  /** `<name>@<alias>`: the model the job checks and retrains, and the scorer's default. */
  model: string;
  modelName: string;
  alias: string;
  retrainPolicy: RetrainPolicy;
  /** `glyco job --since`: the window of the log the drift report reads. */
  driftWindow: string;
  /** An EventBridge Scheduler expression, `cron(…)` or `rate(…)`, read in `scheduleTimezone`. */
  schedule: string;
  scheduleTimezone: string;
  scheduleEnabled: boolean;
  job: FargateSize;
  score: FargateSize;
  /** Where scoring tasks read and write, in the platform's model bucket, under `scoring/`. */
  scoreInputPrefix: string;
  scoreOutputPrefix: string;
  logRetentionDays: number;
  /** The GitHub environment whose workflow runs may start and watch the job (`environment:` of retrain.yml). */
  githubEnvironment: string;
  /**
   * Load only models the platform's key signed (as the targets' `requireSignedModels`); the job signs what it
   * publishes either way.
   */
  requireSignedModels: boolean;
}

// https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html: cron(minutes hours day-of-month
// month day-of-week year) and rate(value unit); the service checks the fields themselves.
const SCHEDULE_EXPRESSION = /^(cron\((\S+ ){5}\S+\)|rate\([1-9]\d* (minute|minutes|hour|hours|day|days)\))$/;
const DURATION = /^[1-9]\d*[hdw]$/;
const GITHUB_ENVIRONMENT = /^[\w.-]{1,255}$/;

export function readJobsSettings(config: pulumi.Config, _env: Environment): JobsSettings {
  const image = config.get('image');
  if (!image) {
    throw new Error(
      'Config "image" is required: the jobs image (`docker build --target jobs`, which runs the glyco CLI) pinned ' +
        'by digest, <repository>@sha256:<digest>. The deploy pipeline pushes it and sets it; the serving image ' +
        'cannot run a job.',
    );
  }
  const model = config.get('model') ?? 'pima-diabetes@production';
  const [modelName = '', alias = ''] = model.split('@');
  try {
    checkName(modelName);
    checkAlias(alias);
  } catch (error) {
    throw new Error(
      `Config "model" must be <name>@<alias> (the job follows an alias, e.g. pima-diabetes@production): ${(error as Error).message}.`,
    );
  }
  const driftWindow = config.get('driftWindow') ?? '7d';
  if (!DURATION.test(driftWindow)) {
    throw new Error(`Config "driftWindow" must be a duration such as 7d, 48h or 2w; got "${driftWindow}".`);
  }
  return {
    org: config.require('org'),
    image: parseImageReference(image),
    model,
    modelName,
    alias,
    retrainPolicy: (config.get('retrainPolicy', { allowedValues: [...RETRAIN_POLICIES] }) ??
      'on-drift') as RetrainPolicy,
    driftWindow,
    ...readSchedule(config),
    job: readFargateSize(config, { cpu: 'jobCpu', memoryMb: 'jobMemoryMb' }, { cpu: 1024, memoryMb: 4096 }),
    score: readFargateSize(
      config,
      { cpu: 'scoreCpu', memoryMb: 'scoreMemoryMb' },
      { cpu: 1024, memoryMb: 2048 },
    ),
    ...readScorePrefixes(config),
    logRetentionDays: config.getNumber('logRetentionDays', { min: 1, max: 3653 }) ?? 30,
    githubEnvironment: readGithubEnvironment(config),
    requireSignedModels: config.getBoolean('requireSignedModels') ?? true,
  };
}

function readSchedule(config: pulumi.Config) {
  const schedule = config.get('schedule') ?? 'cron(30 5 * * ? *)';
  if (!SCHEDULE_EXPRESSION.test(schedule)) {
    throw new Error(
      `Config "schedule" must be an EventBridge Scheduler expression, cron(…) or rate(…), e.g. ` +
        `"cron(30 5 * * ? *)" (05:30 every day); got "${schedule}".`,
    );
  }
  const scheduleTimezone = config.get('scheduleTimezone') ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone: scheduleTimezone });
  } catch {
    throw new Error(
      `Config "scheduleTimezone" must be an IANA time zone such as UTC or Europe/Amsterdam; got "${scheduleTimezone}".`,
    );
  }
  return { schedule, scheduleTimezone, scheduleEnabled: config.getBoolean('scheduleEnabled') ?? true };
}

function readScorePrefixes(config: pulumi.Config) {
  const prefix = (key: string, fallback: string) => {
    const value = config.get(key) ?? fallback;
    if (!value.startsWith(SCORING_PREFIX) || !value.endsWith('/') || value.includes('*')) {
      throw new Error(
        `Config "${key}" must be under ${SCORING_PREFIX} in the model bucket and end with "/" (the workload ` +
          `boundary lets tasks read and write files there only); got "${value}".`,
      );
    }
    return value;
  };
  const scoreInputPrefix = prefix('scoreInputPrefix', `${SCORING_PREFIX}input/`);
  const scoreOutputPrefix = prefix('scoreOutputPrefix', `${SCORING_PREFIX}output/`);
  if (scoreInputPrefix.startsWith(scoreOutputPrefix) || scoreOutputPrefix.startsWith(scoreInputPrefix)) {
    throw new Error(
      `Config "scoreInputPrefix" (${scoreInputPrefix}) and "scoreOutputPrefix" (${scoreOutputPrefix}) must differ ` +
        'and not contain each other: a scorer may not overwrite its inputs.',
    );
  }
  return { scoreInputPrefix, scoreOutputPrefix };
}

function readGithubEnvironment(config: pulumi.Config): string {
  const environment = config.get('githubEnvironment') ?? 'jobs';
  if (!GITHUB_ENVIRONMENT.test(environment)) {
    throw new Error(`Config "githubEnvironment" must be a GitHub environment name; got "${environment}".`);
  }
  return environment;
}
