import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { listModels, openRegistry } from '@glyco/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Env, startS3 } from '../../registry/test/support.ts';
import { workspaceRoot } from '../src/paths.ts';
import { contractApp, serve } from './support/contract-app.ts';

const REPOSITORY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/glyco-dev-app';
const DIGEST = `sha256:${'d'.repeat(64)}`;
/** The jobs image's (`docker build --target jobs`). */
const JOBS_DIGEST = `sha256:${'f'.repeat(64)}`;
const COMMIT = 'c0ffee0000000000000000000000000000000000';

/**
 * Stand-ins for pulumi, aws and skopeo that record their calls: the platform's repository, model registry bucket
 * and region and the targets' endpoint come from `pulumi stack output`; ECR holds `existingDigest` under the
 * commit's tag, if given.
 */
function standIns(
  dir: string,
  endpoint: string,
  bucket: string,
  existingDigest = '',
  previewSteps: object[] = [],
) {
  const log = join(dir, 'calls.log');
  writeFileSync(log, '');
  const preview = join(dir, 'preview.json');
  writeFileSync(preview, JSON.stringify({ steps: previewSteps, changeSummary: {} }));
  const tool = (name: string, body: string) => {
    writeFileSync(join(dir, name), `#!/bin/sh\nprintf '%s\\n' "${name} $*" >> '${log}'\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  };
  tool(
    'pulumi',
    // Like the CLI, it changes into --cwd before it reads another flag's path (pulumi/pulumi
    // pkg/cmd/pulumi/pulumi.go, PersistentPreRun: os.Chdir(cwd)), so --policy-pack is taken from the project.
    `cwd=.; pack=; previous=
for arg in "$@"; do
  case "$previous" in --cwd) cwd=$arg ;; --policy-pack) pack=$arg ;; esac
  previous=$arg
done
if [ -n "$pack" ] && [ ! -f "$cwd/$pack/PulumiPolicy.yaml" ]; then
  echo "error: no policy pack at $pack (from $cwd)" >&2; exit 255
fi
case "$1 $2 $3" in
  "stack output ecrRepositoryUrl") echo '${REPOSITORY}' ;;
  "stack output modelBucketName") echo '${bucket}' ;;
  "stack output region") echo 'us-east-1' ;;
  "stack output url") echo '${endpoint}' ;;
  "stack output schedule") echo 'cron(30 5 * * ? *) Europe/Amsterdam' ;;
  "preview --json "*) cat '${preview}' ;;
esac`,
  );
  tool(
    'aws',
    `case "$1 $2" in
  "ecr describe-images") [ -n '${existingDigest}' ] && echo '${existingDigest}' || exit 254 ;;
  "ecr get-login-password") echo password ;;
esac`,
  );
  tool('skopeo', '[ "$1" = login ] && cat > /dev/null; exit 0');
  return log;
}

const IMAGE_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** An OCI archive as buildx writes it: index.json names the image manifest's digest and media type. */
function ociArchive(dir: string, mediaType = IMAGE_MANIFEST, digest = DIGEST, name = 'image.tar'): string {
  const content = mkdtempSync(join(dir, 'oci-'));
  writeFileSync(
    join(content, 'index.json'),
    JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType, digest }] }),
  );
  execFileSync('tar', ['-cf', join(dir, name), '-C', content, 'index.json']);
  return join(dir, name);
}

const literally = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let s3: Awaited<ReturnType<typeof startS3>>;
let buckets = 0;

/** A new, empty bucket on the S3 test server: an environment's model registry before its first deploy. */
async function emptyBucket(): Promise<string> {
  const bucket = `glyco-dev-models-${++buckets}`;
  await s3.client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** The aliases of the registry in `bucket`, as `name@alias → version`. */
async function aliasesIn(bucket: string): Promise<string[]> {
  const models = await listModels(openRegistry(`s3://${bucket}/models`, { s3Client: s3.client }));
  return models.flatMap((model) =>
    model.aliases.map((entry) => `${model.name}@${entry.alias} → ${entry.record?.version}`),
  );
}

async function deploy(args: {
  endpoint: string;
  stacks: string[];
  env?: 'dev' | 'prod';
  /** The model registry's bucket; a new, empty one by default. */
  bucket?: string;
  existingDigest?: string;
  previewSteps?: object[];
  mediaType?: string;
  /** Build the jobs image's archive too, and name it in JOBS_IMAGE_ARCHIVE (as deploy.yml does). */
  jobsImage?: boolean;
}) {
  const dir = mkdtempSync(join(tmpdir(), 'glyco-deploy-'));
  const bucket = args.bucket ?? (await emptyBucket());
  const log = standIns(dir, args.endpoint, bucket, args.existingDigest, args.previewSteps);
  const archive = ociArchive(dir, args.mediaType);
  const jobsArchive = args.jobsImage && ociArchive(dir, IMAGE_MANIFEST, JOBS_DIGEST, 'jobs-image.tar');
  const child = spawn(
    join(workspaceRoot, 'scripts/deploy-environment.sh'),
    [args.env ?? 'dev', archive, ...args.stacks],
    {
      env: {
        PATH: `${dir}:${process.env.PATH}`,
        PULUMI_ORG: 'acme',
        GITHUB_SHA: COMMIT,
        GITHUB_REPOSITORY: 'acme/glyco',
        ...(jobsArchive && { JOBS_IMAGE_ARCHIVE: jobsArchive }),
        // The registry's S3 client reaches the test server.
        ...s3Env(s3.endpoint),
      },
    },
  );
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { status, output, bucket, calls: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

describe('scripts/deploy-environment.sh', () => {
  let healthy: Awaited<ReturnType<typeof serve>>;
  let broken: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    s3 = await startS3();
    healthy = await serve(contractApp());
    broken = await serve(contractApp({ 'POST /predict': () => new Response('boom', { status: 500 }) }));
  });
  afterAll(async () => {
    await healthy.close();
    await broken.close();
    await s3.stop();
  });

  it('deploys the platform, pushes the image by digest, then points each target at it and smoke-tests it', {
    timeout: 30_000,
  }, async () => {
    const run = await deploy({ endpoint: healthy.url, stacks: ['lambda', 'platform'] });
    expect(run.status, run.output).toBe(0);
    const steps = run.calls.filter((call) => /^(pulumi (up|stack select)|skopeo copy)/.test(call));
    expect(steps).toEqual([
      // Each stack exists before it is run: `pulumi up --non-interactive` would not create it.
      'pulumi stack select --create --cwd stacks/lambda --stack acme/dev --non-interactive',
      'pulumi stack select --create --cwd stacks/platform --stack acme/dev --non-interactive',
      expect.stringMatching(
        /^pulumi up .*--cwd stacks\/platform --stack acme\/dev .*--config githubRepository=acme\/glyco/,
      ),
      expect.stringMatching(
        new RegExp(
          `^skopeo copy --preserve-digests oci-archive:\\S+/image\\.tar docker://${literally(REPOSITORY)}:${COMMIT}$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^pulumi up .*--cwd stacks/lambda --stack acme/dev .*--config org=acme --config image=${literally(`${REPOSITORY}@${DIGEST}`)}$`,
        ),
      ),
    ]);
    expect(
      run.calls.every(
        (call) => !call.startsWith('pulumi up') || call.includes('--policy-pack ../../packages/infra/policy'),
      ),
    ).toBe(true);
    expect(run.output).toMatch(/smoke: 5 of 5 checks passed/);
    // The new environment's empty registry now serves the bundled model the target's config names.
    expect(await aliasesIn(run.bucket)).toEqual(['pima-diabetes@production → 1.1.0']);
    expect(run.output).toMatch(
      /pima-diabetes@production: published the bundled 1\.1\.0 in s3:\/\/\S+ and pointed production at it/,
    );
  });

  it('pushes the jobs image beside the serving image and points the jobs stack at it, with no endpoint to smoke-test', {
    timeout: 30_000,
  }, async () => {
    const run = await deploy({ endpoint: healthy.url, stacks: ['jobs', 'lambda'], jobsImage: true });
    expect(run.status, run.output).toBe(0);
    const steps = run.calls.filter((call) => /^(pulumi up|skopeo copy)/.test(call));
    expect(steps).toEqual([
      expect.stringMatching(
        new RegExp(
          `^skopeo copy --preserve-digests oci-archive:\\S+/image\\.tar docker://${literally(REPOSITORY)}:${COMMIT}$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^skopeo copy --preserve-digests oci-archive:\\S+/jobs-image\\.tar docker://${literally(REPOSITORY)}:${COMMIT}-jobs$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^pulumi up .*--cwd stacks/jobs --stack acme/dev .*--config org=acme --config image=${literally(`${REPOSITORY}@${JOBS_DIGEST}`)}$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^pulumi up .*--cwd stacks/lambda .*--config image=${literally(`${REPOSITORY}@${DIGEST}`)}$`,
        ),
      ),
    ]);
    // One smoke run: the lambda target's.
    expect(run.output.match(/smoke: 5 of 5 checks passed/g)).toHaveLength(1);
    expect(await aliasesIn(run.bucket)).toEqual(['pima-diabetes@production → 1.1.0']);
  });

  it('refuses to deploy the jobs stack without the jobs image, before touching anything', async () => {
    const run = await deploy({ endpoint: healthy.url, stacks: ['platform', 'jobs'] });
    expect(run.status).toBe(66);
    expect(run.output).toMatch(/jobs stack runs the jobs image: set JOBS_IMAGE_ARCHIVE .*--target jobs/);
    expect(run.calls).toEqual([]);
  });

  it('leaves the models of an environment that has them as they are', { timeout: 30_000 }, async () => {
    const first = await deploy({ endpoint: healthy.url, stacks: ['lambda'] });
    expect(first.status, first.output).toBe(0);
    const again = await deploy({ endpoint: healthy.url, stacks: ['lambda'], bucket: first.bucket });
    expect(again.status, again.output).toBe(0);
    expect(again.output).toMatch(/pima-diabetes@production: already in s3:\/\/\S+, left as it is/);
    expect(await aliasesIn(first.bucket)).toEqual(['pima-diabetes@production → 1.1.0']);
  });

  it("stops before anything changes when a prod target's committed config lacks what it must give, naming the file to commit", {
    timeout: 30_000,
  }, async () => {
    // The committed Pulumi.prod.yaml of ecs has no domainName: `pulumi up` would refuse it after the platform ran.
    const run = await deploy({ endpoint: healthy.url, env: 'prod', stacks: ['platform', 'lambda', 'ecs'] });
    expect(run.status).toBe(78);
    expect(run.output).toMatch(/glyco-ecs\/prod: Config "domainName" is required/);
    expect(run.output).toMatch(/Set it in stacks\/ecs\/Pulumi\.prod\.yaml and commit it/);
    expect(run.output).toMatch(/committed config of stacks\/ecs\/Pulumi\.prod\.yaml is refused/);
    expect(run.output).not.toMatch(/glyco-lambda\/prod:/);
    expect(run.calls).toEqual([]);
  });

  it('fails when a target does not pass the smoke suite', { timeout: 30_000 }, async () => {
    const run = await deploy({ endpoint: broken.url, stacks: ['lambda'] });
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/FAIL POST \/predict scores a valid row/);
  });

  it('reuses the image a re-run already pushed, and refuses a different build under the same tag', {
    timeout: 30_000,
  }, async () => {
    const rerun = await deploy({ endpoint: healthy.url, stacks: ['lambda'], existingDigest: DIGEST });
    expect(rerun.status, rerun.output).toBe(0);
    expect(rerun.calls.some((call) => call.startsWith('skopeo copy'))).toBe(false);

    const other = await deploy({
      endpoint: healthy.url,
      stacks: ['lambda'],
      existingDigest: `sha256:${'e'.repeat(64)}`,
    });
    expect(other.status).toBe(1);
    expect(other.output).toMatch(/already holds sha256:e+, not this build's/);
    expect(other.calls.some((call) => call.startsWith('pulumi up'))).toBe(false);
  });

  const urn = (typeChain: string, name: string) => `urn:pulumi:dev::glyco-platform::${typeChain}::${name}`;
  const boundaryStep = {
    op: 'update',
    urn: urn('glyco:platform:PipelineAccess$aws:iam/policy:Policy', 'glyco-dev-workload-boundary'),
  };

  it('stops before the platform when its access control would change, with the command an administrator runs', {
    timeout: 30_000,
  }, async () => {
    const run = await deploy({
      endpoint: healthy.url,
      stacks: ['platform', 'lambda'],
      previewSteps: [
        { op: 'same', urn: urn('glyco:platform:PipelineAccess', 'glyco-dev-pipeline-access') },
        boundaryStep,
        {
          op: 'update',
          urn: urn('glyco:platform:Network$aws:ec2/securityGroup:SecurityGroup', 'glyco-dev-workload'),
        },
      ],
    });
    expect(run.status).toBe(1);
    expect(run.output).toMatch(/update glyco-dev-workload-boundary \(aws:iam\/policy:Policy\)/);
    expect(run.output).not.toMatch(/glyco-dev-workload \(/);
    expect(run.output).toMatch(
      /administrator.*\n.*pulumi up --cwd stacks\/platform --stack acme\/dev --policy-pack \.\.\/\.\.\/packages\/infra\/policy --config githubRepository=acme\/glyco/,
    );
    expect(run.calls.filter((call) => /^(pulumi up|skopeo copy)/.test(call))).toEqual([]);
    expect(run.calls.find((call) => !call.startsWith('pulumi stack select'))).toMatch(
      /^pulumi preview --json .*--cwd stacks\/platform --stack acme\/dev/,
    );
  });

  it('goes on when only what the deploy role may change would change', { timeout: 30_000 }, async () => {
    const run = await deploy({
      endpoint: healthy.url,
      stacks: ['platform'],
      previewSteps: [
        {
          op: 'create',
          urn: urn('glyco:platform:Network$aws:ec2/flowLog:FlowLog', 'glyco-dev-vpc-flow-logs'),
        },
      ],
    });
    expect(run.status, run.output).toBe(0);
    expect(run.calls.some((call) => call.startsWith('pulumi up') && call.includes('stacks/platform'))).toBe(
      true,
    );
  });

  it('refuses an image archive Lambda cannot run (an image index, as buildx writes with attestations)', async () => {
    const run = await deploy({
      endpoint: healthy.url,
      stacks: ['lambda'],
      mediaType: 'application/vnd.oci.image.index.v1+json',
    });
    expect(run.status).toBe(65);
    expect(run.output).toMatch(
      /holds an image index.*Lambda runs a single image manifest.*--provenance=false/s,
    );
    expect(run.calls).toEqual([]);
  });

  it('refuses an unknown environment or stack before touching anything', async () => {
    const run = await deploy({ endpoint: healthy.url, stacks: ['nope'] });
    expect(run.status).toBe(64);
    expect(run.output).toMatch(/no Pulumi project at stacks\/nope/);
    expect(run.calls).toEqual([]);
  });
});
