import { execFile } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET, s3Env, startS3, temporaryDir } from '../../registry/test/support.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'packages/cli/src/main.ts');
const BUNDLED = join(ROOT, 'models/pima-diabetes/1.0.0');

let s3: Awaited<ReturnType<typeof startS3>>;
let scratch: Awaited<ReturnType<typeof temporaryDir>>;
let env: NodeJS.ProcessEnv;

type Outcome = { code: number; stdout: string; stderr: string };

/** Runs `glyco` as a user does; async, because the S3 server answers from this process. */
async function glyco(...args: string[]): Promise<Outcome> {
  return glycoWith({}, args);
}

async function glycoWith(envPatch: NodeJS.ProcessEnv, args: string[]): Promise<Outcome> {
  try {
    const options = { cwd: ROOT, env: { ...env, ...envPatch } };
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [MAIN, ...args], options);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as Outcome;
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  s3 = await startS3();
  scratch = await temporaryDir('cli-registry');
  const { PATH, HOME } = process.env;
  env = {
    PATH,
    HOME,
    ...s3Env(s3.endpoint),
    GLYCO_REGISTRY: `s3://${BUCKET}/models`,
    GITHUB_ACTOR: 'octocat',
  };
});
afterAll(async () => {
  await s3.stop();
  await scratch.remove();
});

/** The bundled model, re-labelled as another version with a lower CV ROC AUC (same model bytes, valid hash). */
async function worseVersion(version: string): Promise<string> {
  const dir = join(scratch.dir, version);
  await cp(BUNDLED, dir, { recursive: true });
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  manifest.version = version;
  manifest.metrics.crossValidation.rocAuc.mean -= 0.05;
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

describe('the release flow on S3 through the glyco command (GLYCO_REGISTRY, AWS_ENDPOINT_URL_S3)', () => {
  // Eight runs of the command, each loading the AWS SDK.
  it('publishes, refuses a republish, promotes behind the gate, lists, rolls back', {
    timeout: 30_000,
  }, async () => {
    const published = await glyco('publish', BUNDLED);
    expect(published.stderr).toBe('');
    expect(published.stdout).toMatch(
      /^published pima-diabetes 1\.0\.0 to s3:\/\/glyco-models\/models\/pima-diabetes\/1\.0\.0/,
    );
    expect(published.stdout).toMatch(/model\.onnx .* sha256 [0-9a-f]{64}/);

    expect(await glyco('publish', BUNDLED)).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^glyco: publish: pima-diabetes 1\.0\.0 is already in s3:\/\/glyco-models\/models: versions are immutable.*\n$/,
      ),
    });

    expect((await glyco('publish', await worseVersion('1.1.0'))).code).toBe(0);
    expect(
      (await glyco('promote', 'pima-diabetes', '1.0.0', '--alias', 'production', '--min-auc', '0.8')).stdout,
    ).toMatch(/^production: pima-diabetes 1\.0\.0 \(promote: CV ROC AUC 0\.\d{4}\)\n$/);
    expect(await glyco('promote', 'pima-diabetes', '1.1.0', '--alias', 'production')).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^glyco: promote: refusing to promote pima-diabetes 1\.1\.0 to production: .*below production's 1\.0\.0/,
      ),
    });
    const forced = await glyco(
      'promote',
      'pima-diabetes',
      '1.1.0',
      '--alias',
      'production',
      '--force',
      '--reason',
      'hotfix',
    );
    expect(forced.stdout).toBe('production: pima-diabetes 1.0.0 → 1.1.0 (promote, forced: hotfix)\n');

    const listing = (await glyco('models')).stdout.split('\n');
    expect(listing[0]).toMatch(/^MODEL +VERSION +CREATED +TASK +ALGORITHM +CV METRIC +HELD-OUT +ALIASES$/);
    expect(listing[1]).toMatch(
      /^pima-diabetes +1\.0\.0 +\d{4}-\d\d-\d\d \d\d:\d\dZ +binary +\w+ +ROC AUC 0\.\d{3} ± 0\.\d{3} +0\.\d{3} +-$/,
    );
    expect(listing[2]).toMatch(/^pima-diabetes +1\.1\.0 .* production$/);
    expect(listing[5]).toMatch(
      /^pima-diabetes@production +1\.1\.0 +1\.0\.0 +\S+ \S+ +github:octocat +promote \(forced\): hotfix$/,
    );

    expect((await glyco('rollback', 'pima-diabetes', '--alias', 'production')).stdout).toBe(
      'production: pima-diabetes 1.1.0 → 1.0.0 (rollback: rolled back from 1.1.0)\n',
    );
  });

  const NO_REGISTRY = { GLYCO_REGISTRY: '' };
  it.each<[string[], NodeJS.ProcessEnv, number, RegExp]>([
    [
      ['models'],
      NO_REGISTRY,
      2,
      /^glyco: models: no registry: pass --registry <uri> or set GLYCO_REGISTRY\n$/,
    ],
    [['promote', 'pima-diabetes', '1.0.0'], {}, 2, /^glyco: promote: --alias is required/],
    [
      ['promote', 'pima-diabetes', '9.9.9', '--alias', 'production'],
      {},
      1,
      /^glyco: promote: pima-diabetes 9\.9\.9 is not in the registry s3:/,
    ],
    [
      ['rollback', 'pima-diabetes', '--alias', 'staging', '--registry', 's3://glyco-models'],
      {},
      1,
      /expected s3:\/\/<bucket>\/<prefix>/,
    ],
    [
      ['models', 's3://no-such-bucket/models'],
      {},
      1,
      /^glyco: models: s3:\/\/no-such-bucket\/models: the bucket does not exist\n$/,
    ],
  ])(
    'glyco %j (env %j) fails with one line and exit code %i',
    { timeout: 10_000 },
    async (args, envPatch, code, message) => {
      const result = await glycoWith(envPatch, args);
      expect(result).toMatchObject({ code, stdout: '' });
      expect(result.stderr).toMatch(message);
    },
  );
});
