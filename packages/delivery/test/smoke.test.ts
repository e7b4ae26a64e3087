import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrap, loadConfig } from '@glyco/server';
import { describe, expect, it } from 'vitest';
import { workspaceRoot } from '../src/paths.ts';
import { runSmoke, type Send, validRow } from '../src/smoke/smoke.ts';
import { contractApp as app } from './support/contract-app.ts';

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const failures = async (send: Send) =>
  (await runSmoke({ baseUrl: 'http://app.test/', send, readyTimeoutMs: 1 }))
    .filter((r) => !r.ok)
    .map((r) => r.name);

describe('the smoke suite', () => {
  it('passes an app that keeps the HTTP contract', async () => {
    expect(await failures(app())).toEqual([]);
  });

  it('fails an app that is not ready', async () => {
    expect(await failures(app({ 'GET /ready': () => json({ status: 'loading' }, 503) }))).toEqual([
      'GET /ready answers 200',
    ]);
  });

  it('fails a prediction outside the contract', async () => {
    const broken = app({ 'POST /predict': () => json({ prediction: 'yes', probability: 2 }) });
    expect(await failures(broken)).toContain('POST /predict scores a valid row');
  });

  it('fails an invalid request answered with a plain JSON error instead of a 422 problem', async () => {
    const broken = app({ 'POST /predict': () => json({ error: 'bad' }, 422) });
    expect(await failures(broken)).toContain('POST /predict rejects an invalid value with a 422 problem');
  });

  it('keeps the stage path of the base URL (API Gateway stages)', async () => {
    const results = await runSmoke({ baseUrl: 'https://api.test/prod', send: app({}, '/prod') });
    expect(results.filter((result) => !result.ok)).toEqual([]);
  });
});

describe('the smoke suite, on a model of every task', () => {
  it.each([
    'models/pima-diabetes',
    'models/iris',
    'models/diabetes-progression',
    'packages/server/test/fixtures/models/readmissions',
  ])('passes the real app serving %s', async (model) => {
    const config = loadConfig({
      DATABASE_URL: 'off',
      LOG_LEVEL: 'silent',
      MODEL_URI: join(workspaceRoot, model),
    });
    const runtime = await bootstrap(config);
    try {
      expect(await failures(async (request) => runtime.app.fetch(request))).toEqual([]);
    } finally {
      await runtime.models.close();
    }
  });

  const answering = (manifest: object, answer: object) =>
    app({
      'GET /v1/models': () => json({ models: [{ name: 'm', version: '1', ...manifest }] }),
      'POST /predict': () => json(answer),
    });

  it("fails a regression model's value outside its interval", async () => {
    const regression = { task: 'regression', features: [{ name: 'bmi', dtype: 'float', min: 10, max: 80 }] };
    const outside = { value: 150, unit: null, interval: { low: 160, high: 240, coverage: 0.9 } };
    expect(await failures(answering(regression, outside))).toContain('POST /predict scores a valid row');
  });

  it("fails a multiclass model's probabilities that are not one share per class summing to 1", async () => {
    const multiclass = {
      task: 'multiclass',
      target: { classLabels: ['setosa', 'versicolor'] },
      features: [{ name: 'site', dtype: 'category', categories: ['north', 'south'] }],
    };
    const answer = { prediction: 1, label: 'versicolor' };
    for (const probabilities of [{ setosa: 0.5, versicolor: 0.75 }, { versicolor: 1 }]) {
      expect(await failures(answering(multiclass, { ...answer, probabilities }))).toContain(
        'POST /predict scores a valid row',
      );
    }
  });
});

describe('validRow', () => {
  it("takes the middle of each valid range, whole for integer features, and a categorical feature's first category", () => {
    const features = [
      { name: 'pregnant', dtype: 'integer' as const, min: 0, max: 17 },
      { name: 'glucose', dtype: 'float' as const, min: 1, max: 600 },
      { name: 'admission type', dtype: 'category' as const, categories: ['Elective', 'Emergency'] },
    ];
    expect(validRow(features)).toEqual({ pregnant: 9, glucose: 300.5, 'admission type': 'Elective' });
  });
});

describe('scripts/image-smoke.sh', () => {
  /** Its `fargate_bind_mount` for an image whose config declares these volumes, with a stand-in `docker`. */
  function bindMountFor(volumes: Record<string, object> | null, path = '/tmp') {
    const bin = mkdtempSync(join(tmpdir(), 'glyco-fake-docker-'));
    const docker = join(bin, 'docker');
    writeFileSync(
      docker,
      `#!/bin/sh\n[ "$1 $2" = "image inspect" ] || exit 64\necho '${JSON.stringify(volumes)}'\n`,
    );
    chmodSync(docker, 0o755);
    const run = spawnSync(
      'bash',
      [
        '--norc',
        '--noprofile',
        '-c',
        `source scripts/image-smoke.sh && fargate_bind_mount glyco:test ${path}`,
      ],
      { cwd: workspaceRoot, encoding: 'utf8', env: { PATH: `${bin}:${process.env.PATH}` } },
    );
    rmSync(bin, { recursive: true, force: true });
    expect(run.stderr).toBe('');
    return run.stdout.trim();
  }

  it('mounts an empty root-owned 0755 /tmp on the server when the image does not declare it a VOLUME, as Fargate does', () => {
    expect(bindMountFor(null)).toBe('type=tmpfs,dst=/tmp,tmpfs-mode=0755');
    expect(bindMountFor({ '/var/cache': {} })).toBe('type=tmpfs,dst=/tmp,tmpfs-mode=0755');
  });

  it("mounts a fresh volume, which Docker fills with the image's /tmp and its owner and mode, when it is a VOLUME", () => {
    expect(bindMountFor({ '/tmp': {} })).toBe('type=volume,dst=/tmp');
  });
});
