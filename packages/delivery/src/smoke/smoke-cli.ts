#!/usr/bin/env node
import { parseArgs } from 'node:util';
import type { EventFormat } from './lambda-event.ts';
import { invokeUrlTransport, moduleTransport } from './lambda-transport.ts';
import { runSmoke, type Send } from './smoke.ts';

const USAGE = `usage: smoke-cli.ts <base-url>                         a deployed endpoint or a local server
       smoke-cli.ts --lambda-invoke-url <url>          a Lambda runtime interface emulator
       smoke-cli.ts --lambda-module <lambda.mjs>       a Lambda entry module, called in this process
options: --event-format v1|v2 (API Gateway REST or HTTP API events; default v2), --ready-timeout <seconds>`;

function parseCommandLine() {
  return parseArgs({
    allowPositionals: true,
    options: {
      'lambda-invoke-url': { type: 'string' },
      'lambda-module': { type: 'string' },
      'event-format': { type: 'string', default: 'v2' },
      'ready-timeout': { type: 'string', default: '60' },
    },
  });
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const format = values['event-format'];
  const readyTimeoutMs = Number(values['ready-timeout']) * 1000;
  const targets = [positionals[0], values['lambda-invoke-url'], values['lambda-module']].filter(Boolean);
  if (
    targets.length !== 1 ||
    positionals.length > 1 ||
    (format !== 'v1' && format !== 'v2') ||
    !(readyTimeoutMs > 0)
  ) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const baseUrl = positionals[0] ?? 'https://lambda.invalid/';
  let send: Send = fetch;
  if (values['lambda-invoke-url'])
    send = invokeUrlTransport(values['lambda-invoke-url'], format as EventFormat);
  if (values['lambda-module']) send = await moduleTransport(values['lambda-module'], format as EventFormat);
  if (!URL.canParse(baseUrl)) {
    process.stderr.write(`not a URL: ${baseUrl}\n${USAGE}\n`);
    return 2;
  }

  const results = await runSmoke({ baseUrl, send, readyTimeoutMs });
  for (const result of results) {
    process.stdout.write(
      `${result.ok ? 'ok  ' : 'FAIL'} ${result.name}${result.ok ? '' : `: ${result.detail}`}\n`,
    );
  }
  const failed = results.filter((result) => !result.ok).length;
  process.stdout.write(
    `smoke: ${results.length - failed} of ${results.length} checks passed at ${baseUrl}\n`,
  );
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main().catch((error: unknown) => {
  process.stderr.write(`smoke: ${(error as Error).message}\n`);
  return 1;
});
