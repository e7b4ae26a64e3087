/**
 * The README's API examples, run: every `curl` in the shell blocks of its "API" section is sent to a node server
 * on loopback serving the model the block names (`glyco serve --model <dir>`, else the bundled one), every
 * `aws lambda invoke` hands its payload to the Lambda handler of that model as Lambda delivers it (the JSON
 * parsed, as the event), and the answer must be the `# ` comment lines below it, `…` standing for what differs
 * per request (a request id).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../src/bootstrap.ts';
import { createLambdaHandler } from '../src/lambda/handler.ts';
import { type RunningServer, startServer } from '../src/node/server.ts';
import { testConfig } from './page/page-fixture.ts';
import { LAMBDA_CONTEXT } from './support/lambda-events.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const README = readFileSync(`${ROOT}README.md`, 'utf8');

interface Example {
  /** The model directory the block serves (relative to the repository), or undefined for the bundled one. */
  model: string | undefined;
  /** A curl command line, or an `aws lambda invoke` one. */
  command: string;
  expected: string;
}

/** The README's `## API` section, up to the next `## `. */
function apiSection(readme: string): string {
  const start = readme.indexOf('\n## API\n');
  if (start < 0) throw new Error('README.md has no "## API" section');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** Every curl of the section's sh blocks, with the model its block serves and the answer printed below it. */
function examples(section: string): Example[] {
  const found: Example[] = [];
  for (const [, block] of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    let model: string | undefined;
    const lines = block!.replace(/\\\n\s*/g, ' ').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const serve = /glyco serve --model (\S+)/.exec(line);
      if (serve) model = serve[1];
      if (!line.startsWith('curl ') && !line.startsWith('aws lambda invoke ')) continue;
      const expected: string[] = [];
      while (lines[i + 1]?.startsWith('#')) expected.push(lines[++i]!.replace(/^#\s*/, ''));
      if (expected.length === 0) throw new Error(`README: no answer under ${line.slice(0, 60)}…`);
      found.push({ model, command: line, expected: expected.join('') });
    }
  }
  return found;
}

/** The words of a shell command line, as sh splits them: single quotes keep their contents as they are. */
function words(command: string): string[] {
  return [...command.matchAll(/'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2]!);
}

/** A curl command line as a fetch: its URL, its -H headers, its -d body (which makes it a POST). */
function asRequest(command: string): { url: URL; init: RequestInit } {
  const args = words(command).slice(1);
  const headers: Record<string, string> = {};
  let body: string | undefined;
  let url: URL | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-s') continue;
    if (arg === '--data-binary' && args[i + 1]?.startsWith('@')) {
      body = readFileSync(`${ROOT}${args[++i]!.slice(1)}`, 'utf8');
      continue;
    }
    if (arg === '-H') {
      const [name, ...value] = args[++i]!.split(':');
      headers[name!.trim()] = value.join(':').trim();
    } else if (arg === '-d') body = args[++i];
    else if (!arg.startsWith('-')) url = new URL(arg.startsWith('http') ? arg : `http://${arg}`);
    else throw new Error(`README: curl option ${arg} is not understood by this test`);
  }
  if (!url) throw new Error(`README: no URL in ${command}`);
  return { url, init: { method: body === undefined ? 'GET' : 'POST', headers, body } };
}

/** The printed answer as a pattern: literal text, each `…` any run of characters. */
function answerPattern(expected: string): RegExp {
  const literal = expected.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${literal.join('.*?')}$`);
}

/** What `aws lambda invoke --payload '…' answer.json && cat answer.json` prints, from the model's handler. */
async function invokeLambda(model: string | undefined, command: string): Promise<string> {
  const args = words(command);
  const payload = args[args.indexOf('--payload') + 1];
  if (payload === undefined) throw new Error(`README: no --payload in ${command}`);
  const handler = await handlerFor(model);
  // The runtime serializes what the handler returns as JSON; that is the file `aws lambda invoke` writes.
  return JSON.stringify(await handler(JSON.parse(payload), LAMBDA_CONTEXT));
}

const handlers = new Map<string, Promise<ReturnType<typeof createLambdaHandler>>>();
function handlerFor(model: string | undefined) {
  const key = model ?? '';
  let handler = handlers.get(key);
  if (!handler) {
    handler = bootstrap(testConfig(model ? { MODEL_URI: `${ROOT}${model}` } : {})).then((runtime) => {
      runtimes.push(runtime);
      return createLambdaHandler(runtime);
    });
    handlers.set(key, handler);
  }
  return handler;
}
const runtimes: Awaited<ReturnType<typeof bootstrap>>[] = [];

const servers = new Map<string, Promise<RunningServer>>();
function serverFor(model: string | undefined): Promise<RunningServer> {
  const key = model ?? '';
  let server = servers.get(key);
  if (!server) {
    server = startServer(testConfig(model ? { MODEL_URI: `${ROOT}${model}` } : {}));
    servers.set(key, server);
  }
  return server;
}
afterAll(async () => {
  for (const server of servers.values()) await (await server).shutdown();
  for (const runtime of runtimes) await runtime.models.close();
});

const all = examples(apiSection(README));

describe('the README API section', () => {
  it('shows a request of every task: the bundled binary model, a multiclass, a regression and a categorical one', () => {
    expect(new Set(all.map((example) => example.model))).toEqual(
      new Set([
        undefined,
        'models/iris',
        'models/diabetes-progression',
        'packages/server/test/fixtures/models/readmissions',
      ]),
    );
  });

  it.each(all.map((example) => [example.command.slice(0, 90), example] as const))(
    'answers %s… as printed',
    async (_title, example) => {
      if (example.command.startsWith('aws lambda invoke ')) {
        expect(await invokeLambda(example.model, example.command)).toMatch(answerPattern(example.expected));
        return;
      }
      const server = await serverFor(example.model);
      const { url, init } = asRequest(example.command);
      const response = await fetch(new URL(url.pathname + url.search, server.url), init);
      expect(await response.text()).toMatch(answerPattern(example.expected));
    },
  );
});
