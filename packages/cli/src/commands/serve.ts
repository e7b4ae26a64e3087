import { enableCompileCache } from 'node:module';
import { parseArgs } from 'node:util';
import { APP_SETTINGS } from '@glyco/contract';
import { CliError } from '../cli.ts';

const USAGE = `usage: glyco serve [--model <dir|file://url>] [--port <n>] [--host <address>]

Serves a model over HTTP: POST /predict, the Open Inference Protocol v2 under /v2, /health, /ready,
/metrics, /docs. Without --model it serves the bundled default model.

  --model <uri>     a model version directory, a model directory (its newest version), or a file:// URL
                    (default: MODEL_URI, else the bundled model)
  --port <n>        default: PORT, else 8080
  --host <address>  default: HOST, else 127.0.0.1 (this machine only; 0.0.0.0 listens on every interface)

Every prediction is logged: by default to an embedded database in .glyco/predictions under the working
directory; DATABASE_URL=postgres://... logs to a PostgreSQL server, DATABASE_URL=off logs nothing.
Every other setting comes from the environment (LOG_LEVEL, BATCH_MAX_ROWS, ...; see README).`;

function flag<T>(name: string, value: string | undefined, parse: (raw: string) => T): T | undefined {
  if (value === undefined) return undefined;
  try {
    return parse(value);
  } catch (error) {
    throw new CliError(`--${name} ${(error as Error).message} (got "${value}")`, 2);
  }
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      model: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // The server's modules are compiled once, then loaded from Node's disk cache: a second start is much faster.
  enableCompileCache();
  const server = await import('@glyco/server');
  const port = flag('port', values.port, APP_SETTINGS.PORT.parse);
  const host = flag('host', values.host, APP_SETTINGS.HOST.parse);
  try {
    const config = server.loadConfig();
    const running = await server.startServer({
      ...config,
      port: port ?? config.port,
      // Unlike the image's entry point, a developer's command listens on this machine only unless told.
      host: host ?? (process.env.HOST ? config.host : '127.0.0.1'),
      modelUri: values.model ?? config.modelUri,
    });
    server.exitOnSignals(running);
    const { name, version } = running.runtime.models.current().manifest;
    const url = running.url.replace('127.0.0.1', 'localhost');
    process.stderr.write(`glyco: serving ${name} ${version} on ${url} (API docs: ${url}/docs)\n`);
  } catch (error) {
    if (server.isStartupFailure(error)) throw new CliError(error.message);
    throw error;
  }
}
