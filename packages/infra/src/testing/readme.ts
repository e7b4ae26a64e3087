import { readFileSync } from 'node:fs';

const README = new URL('../../../../README.md', import.meta.url);

/**
 * The outputs of a stack that the README's "Reading the outputs" table does not name in the stack's row: a team
 * reads that table, not the program, to find what `pulumi stack output` gives.
 */
export function outputsMissingFromReadme(stack: string, outputs: Record<string, unknown>): string[] {
  const readme = readFileSync(README, 'utf8');
  const table = readme.slice(readme.indexOf('**Reading the outputs.**'));
  const row = table.split('\n').find((line) => line.startsWith(`| ${stack} |`)) ?? '';
  return Object.keys(outputs).filter((name) => !row.includes(`\`${name}\``));
}
