import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from '@glyco/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppPackage, packageApp } from '../src/image/app-package.ts';
import { megabytes } from '../src/image/dir-size.ts';
import { stageUser } from '../src/image/dockerfile-stages.ts';
import { workspaceRoot } from '../src/paths.ts';
import { runSmoke } from '../src/smoke/smoke.ts';
import { fargateBindMount, nodeForAnyUser, userIds } from './support/image-user.ts';

const SIZE_BUDGET_BYTES = 150_000_000;
const smokeCli = join(workspaceRoot, 'packages/delivery/src/smoke/smoke-cli.ts');

/** What the image's process sees: no workspace on PATH, no inherited NODE_* settings, a home of its own. */
function cleanEnvironment(home: string): Record<string, string> {
  return { PATH: dirname(process.execPath), HOME: home, DATABASE_URL: 'off' };
}

async function waitForListening(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${log()}`);
    const up = await fetch(url).then(
      () => true,
      () => false,
    );
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the server did not listen within 30 s:\n${log()}`);
}

interface PackagedServer {
  process: ChildProcess;
  baseUrl: string;
  /** Its stdout and stderr so far. */
  output(): string;
}

/** Runs the app directory's node server on a free loopback port, in `cwd`, and waits until it listens. */
async function startPackagedServer(
  appDir: string,
  cwd: string,
  env: Record<string, string>,
  as: { node: string; uid: number; gid: number } = { node: process.execPath, uid: 0, gid: 0 },
): Promise<PackagedServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}/`;
  const child = spawn(as.node, [join(appDir, 'dist/server.mjs')], {
    cwd,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(as.uid !== 0 && { uid: as.uid, gid: as.gid }),
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  await waitForListening(`${baseUrl}health`, child, () => output);
  return { process: child, baseUrl, output: () => output };
}

/** The handler module the image's CMD names, `dist/lambda.handler` → `dist/lambda.mjs`. */
function lambdaModuleOfImage(appDir: string): string {
  const cmd = /^CMD \["([^"]+)"\]$/m.exec(readFileSync(join(workspaceRoot, 'Dockerfile'), 'utf8'))?.[1] ?? '';
  return join(appDir, `${cmd.slice(0, cmd.lastIndexOf('.'))}.mjs`);
}

describe('the packaged app directory (what the image copies to /app)', () => {
  let workDir: string;
  let app: AppPackage;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'glyco-package-'));
    app = await packageApp(join(workDir, 'app'));
    console.info(`packaged app: ${megabytes(app.bytes)}; ${app.modules.join(', ')}`);
  }, 180_000);

  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it(`fits in ${megabytes(SIZE_BUDGET_BYTES)}, with onnxruntime's binaries for linux x64 only`, () => {
    expect(app.bytes).toBeLessThanOrEqual(SIZE_BUDGET_BYTES);
    const bin = join(app.dir, 'node_modules/onnxruntime-node/bin');
    const platforms = readdirSync(bin).flatMap((napi) =>
      readdirSync(join(bin, napi)).flatMap((os) =>
        readdirSync(join(bin, napi, os)).map((cpu) => `${os}/${cpu}`),
      ),
    );
    expect(platforms).toEqual(['linux/x64']);
  });

  it('holds no training code: its bundles are built from no source of @glyco/trainer or @glyco/cli', () => {
    expect(app.workspacePackages).toContain('@glyco/server');
    expect(app.workspacePackages.filter((name) => /^@glyco\/(trainer|cli)$/.test(name))).toEqual([]);
    expect(readdirSync(join(app.dir, 'node_modules')).filter((name) => name.startsWith('@glyco'))).toEqual(
      [],
    );
  });

  it('holds the bundles, production dependencies only, and the default model', () => {
    const server = JSON.parse(readFileSync(join(workspaceRoot, 'packages/server/package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    const installed = readdirSync(join(app.dir, 'node_modules'));
    expect(installed).toContain('onnxruntime-node');
    expect(installed.filter((name) => name in server.devDependencies)).toEqual([]);
    expect(existsSync(join(app.dir, 'dist/server.mjs'))).toBe(true);
    const versions = readdirSync(join(app.dir, 'models/pima-diabetes'));
    expect(
      versions.some((version) => existsSync(join(app.dir, 'models/pima-diabetes', version, 'model.onnx'))),
    ).toBe(true);
  });

  describe('run as the node server (ECS, EKS) from a clean environment and another working directory', () => {
    let server: PackagedServer;

    beforeAll(async () => {
      const cwd = mkdtempSync(join(workDir, 'cwd-'));
      server = await startPackagedServer(app.dir, cwd, cleanEnvironment(cwd));
    }, 60_000);

    afterAll(() => {
      if (server.process.exitCode === null) server.process.kill('SIGKILL');
    });

    it('passes the smoke suite over HTTP', async () => {
      const results = await runSmoke({ baseUrl: server.baseUrl, readyTimeoutMs: 20_000 });
      expect(results.filter((result) => !result.ok)).toEqual([]);
      expect(results).toHaveLength(5);
    });

    it('exits 0 on SIGTERM, as ECS and Kubernetes stop it', async () => {
      const exited = new Promise<number | null>((resolve) => server.process.once('exit', resolve));
      server.process.kill('SIGTERM');
      expect(await exited).toBe(0);
    }, 20_000);
  });

  describe('run as `docker run` runs it locally: the embedded prediction log, in a writable working directory', () => {
    let server: PackagedServer;

    beforeAll(async () => {
      const cwd = mkdtempSync(join(workDir, 'embedded-'));
      const { DATABASE_URL: _, ...env } = cleanEnvironment(cwd);
      server = await startPackagedServer(app.dir, cwd, env);
    }, 60_000);

    afterAll(() => {
      if (server.process.exitCode === null) server.process.kill('SIGKILL');
    });

    it('stores predictions through the database thread shipped in dist/, and exits 0 on SIGTERM', async () => {
      const results = await runSmoke({ baseUrl: server.baseUrl, readyTimeoutMs: 20_000 });
      expect(results.filter((result) => !result.ok)).toEqual([]);
      const written = async () =>
        Number(
          /^glyco_prediction_log_written_total (\d+)$/m.exec(
            await (await fetch(`${server.baseUrl}metrics`)).text(),
          )?.[1],
        );
      const deadline = Date.now() + 20_000;
      while ((await written()) < 1 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await written()).toBeGreaterThanOrEqual(1);
      expect(server.output()).toContain('"msg":"prediction log: database open"');
      const exited = new Promise<number | null>((resolve) => server.process.once('exit', resolve));
      server.process.kill('SIGTERM');
      expect(await exited).toBe(0);
    }, 40_000);
  });

  // Not the image's own file system (its Amazon Linux base is on a registry this machine cannot reach): the app
  // directory on this host's Node, as the image's user, with the temp dir ECS would mount over /tmp.
  describe.skipIf(process.getuid?.() !== 0)(
    'run as ECS runs the image: its user, /tmp as Fargate mounts it (needs root to switch user)',
    () => {
      const dockerfile = readFileSync(join(workspaceRoot, 'Dockerfile'), 'utf8');
      const { uid, gid } = userIds(stageUser(dockerfile));
      /** A PostgreSQL that is not there: the log spools to the temp dir from the start, as it may on ECS. */
      const unreachableDatabase = { DATABASE_URL: 'postgres://glyco@127.0.0.1:9/glyco' };
      let node: string;

      beforeAll(() => {
        chmodSync(workDir, 0o755);
        node = nodeForAnyUser(workDir);
      });

      it('serves and spools to a /tmp made from the Dockerfile as Fargate makes it', async () => {
        const tmp = fargateBindMount(dockerfile, '/tmp', join(workDir, 'fargate-tmp'));
        const env = { PATH: dirname(node), HOME: tmp, TMPDIR: tmp, ...unreachableDatabase };
        const server = await startPackagedServer(app.dir, tmp, env, { node, uid, gid });
        try {
          const results = await runSmoke({ baseUrl: server.baseUrl, readyTimeoutMs: 20_000 });
          expect(results.filter((result) => !result.ok)).toEqual([]);
          expect(existsSync(join(tmp, 'glyco-spool'))).toBe(true);
        } finally {
          server.process.kill('SIGKILL');
        }
      }, 60_000);

      it('fails to start on the root-owned 0755 directory Fargate mounts where the image declares no VOLUME', async () => {
        const tmp = fargateBindMount('FROM scratch\n', '/tmp', join(workDir, 'root-0755-tmp'));
        const env = { PATH: dirname(node), HOME: tmp, TMPDIR: tmp, ...unreachableDatabase };
        await expect(startPackagedServer(app.dir, tmp, env, { node, uid, gid })).rejects.toThrow(
          /exited with [1-9][\s\S]*(EACCES|permission denied)/i,
        );
      }, 60_000);
    },
  );

  it.each(['v2', 'v1'])(
    'answers API Gateway %s events from the Lambda entry the image runs, in a clean environment',
    (format) => {
      const cwd = mkdtempSync(join(workDir, 'lambda-'));
      const run = spawnSync(
        process.execPath,
        [smokeCli, '--lambda-module', lambdaModuleOfImage(app.dir), '--event-format', format],
        { cwd, env: cleanEnvironment(cwd), encoding: 'utf8', timeout: 60_000 },
      );
      expect(run.stdout).toMatch(/^smoke: 5 of 5 checks passed/m);
      expect(run.status).toBe(0);
    },
    70_000,
  );
});
