#!/usr/bin/env node
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { workspaceRoot } from '../paths.ts';
import { packageApp } from './app-package.ts';
import { megabytes } from './dir-size.ts';

const USAGE = `usage: package-cli.ts [--out <dir>]
Builds the server and assembles the image's app directory (default: packages/delivery/dist/app).`;

function readOptions() {
  try {
    return parseArgs({ options: { out: { type: 'string' } } }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

const { out = join(workspaceRoot, 'packages/delivery/dist/app') } = readOptions();
try {
  const app = await packageApp(out);
  const lines = [`${app.dir}: ${megabytes(app.bytes)}`, ...app.modules.map((name) => `  ${name}`)];
  if (app.skipped.length) lines.push(`optional imports left out: ${app.skipped.join(', ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
} catch (error) {
  process.stderr.write(`package: ${(error as Error).message}\n`);
  process.exit(1);
}
