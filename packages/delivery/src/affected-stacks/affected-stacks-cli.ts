#!/usr/bin/env node
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { workspaceRoot } from '../paths.ts';
import { affectedStacks } from './affected-stacks.ts';

const USAGE = `usage: affected-stacks-cli.ts [--base <commit>] [--head <commit>] [--image]
Prints {"platform": bool, "targets": [...], "stacks": [...]} for the files changed from base to head (HEAD).
Without a base, or with one not in the history (a new branch, a force push), every stack is affected.`;

/** The Pulumi projects under stacks/, platform excluded: every directory with a Pulumi.yaml. */
function targetStacks(): string[] {
  const dir = join(workspaceRoot, 'stacks');
  return readdirSync(dir)
    .filter((name) => name !== 'platform' && existsSync(join(dir, name, 'Pulumi.yaml')))
    .sort();
}

function changedFiles(base: string | undefined, head: string): string[] | undefined {
  if (!base || /^0+$/.test(base)) return undefined;
  try {
    const diff = execFileSync('git', ['diff', '--name-only', `${base}...${head}`], {
      cwd: workspaceRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return diff.split('\n').filter(Boolean);
  } catch {
    return undefined;
  }
}

function readOptions() {
  try {
    return parseArgs({
      options: {
        base: { type: 'string' },
        head: { type: 'string', default: 'HEAD' },
        image: { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

const options = readOptions();
const targets = targetStacks();
const files = changedFiles(options.base, options.head);
const affected = files
  ? affectedStacks(files, { targets }, { image: options.image ?? false })
  : { platform: true, targets };
const stacks = [...(affected.platform ? ['platform'] : []), ...affected.targets];
process.stdout.write(`${JSON.stringify({ ...affected, stacks })}\n`);
