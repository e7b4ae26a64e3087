#!/usr/bin/env node
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { workspaceRoot } from '../paths.ts';
import { type AppSpec, JOBS_APP, packageApp, SERVING_APP } from './app-package.ts';
import { megabytes } from './dir-size.ts';

const APPS: Record<string, { spec: AppSpec; out: string }> = {
  serve: { spec: SERVING_APP, out: 'packages/delivery/dist/app' },
  jobs: { spec: JOBS_APP, out: 'packages/delivery/dist/jobs' },
};

const USAGE = `usage: package-cli.ts [--app serve|jobs] [--out <dir>]
Builds an image's app and assembles its app directory: serve, the serving image's (the server; default
${APPS.serve!.out}), or jobs, the jobs image's (the glyco command with the trainer; default ${APPS.jobs!.out}).`;

function readOptions() {
  try {
    const { values } = parseArgs({
      options: { app: { type: 'string', default: 'serve' }, out: { type: 'string' } },
    });
    const app = APPS[values.app];
    if (!app) throw new Error(`--app must be serve or jobs; got "${values.app}"`);
    return { app: app.spec, out: values.out ?? join(workspaceRoot, app.out) };
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

const { app: spec, out } = readOptions();
try {
  const app = await packageApp(out, spec);
  const lines = [
    `${app.dir}: ${megabytes(app.bytes)}`,
    `  code of ${app.workspacePackages.join(', ')}`,
    ...app.modules.map((name) => `  ${name}`),
  ];
  if (app.skipped.length) lines.push(`optional imports left out: ${app.skipped.join(', ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
} catch (error) {
  process.stderr.write(`package: ${(error as Error).message}\n`);
  process.exit(1);
}
