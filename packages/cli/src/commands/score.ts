import { parseArgs } from 'node:util';
import type { S3Client } from '@aws-sdk/client-s3';
import { CliError } from '../cli.ts';
import { openInput, openOutput } from '../score-locations.ts';

const USAGE = `usage: glyco score --model <uri> --data <in.csv|s3://bucket/key|-> --out <out.csv|s3://bucket/key|->

Scores a CSV file of any size with a model, in constant memory: a header line, then one row per line, the
features by column name (other columns, an id say, are carried through). Each row is validated as POST /predict
validates it and written to --out with its answer's columns after its own. A row that cannot be scored is
reported on stderr with its line, left out, and the run goes on.

  --model <uri>   a model version directory, a model directory (its newest version), a file:// URL, or a
                  registry URI (s3://bucket/prefix/<name>@<alias>); verified as the server does (sha256, and
                  the signature when MODEL_SIGNING_PUBLIC_KEY or MODEL_SIGNING_PUBLIC_KEY_FILE is set)
  --data <in>     the CSV to score: a file, s3://bucket/key, or - for stdin
  --out <out>     where to write it: a file, s3://bucket/key, or - for stdout; written whole or not at all

Progress is shown on stderr when it is a terminal; a summary is printed at the end. Exit status: 0 when every
row was scored, 1 when some rows were left out (the output holds the others) or the run failed, 2 for a usage
error. S3 settings come from the AWS SDK's chain (AWS_REGION, AWS_PROFILE, roles, AWS_ENDPOINT_URL_S3).`;

/** Bad rows printed one by one; past this many they are only counted, so that a broken file cannot flood. */
const MAX_BAD_ROWS_SHOWN = 100;
const PROGRESS_EVERY_MS = 500;

const count = (n: number) => n.toLocaleString('en-US');

function options(args: string[]) {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      model: { type: 'string' },
      data: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;
  for (const name of ['model', 'data', 'out'] as const) {
    if (!values[name]) throw new CliError(`score: --${name} is required\n${USAGE}`, 2);
  }
  return values as { model: string; data: string; out: string };
}

export async function run(args: string[]): Promise<void> {
  const given = options(args);
  if (!given) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const server = await import('@glyco/server');
  const registry = await import('@glyco/registry');
  let client: S3Client | undefined;
  const s3 = () => {
    client ??= registry.createS3Client();
    return client;
  };
  let model: Awaited<ReturnType<typeof server.openWorkerModel>>;
  try {
    const { modelRegistry, modelTrust } = server.loadConfig();
    const resolved = await server.resolveModel(given.model, modelRegistry.cacheDir, modelTrust);
    resolved.followed?.close();
    // Run on a worker thread, so that the next batch is read while one runs.
    model = await server.openWorkerModel(resolved.directory, modelTrust);
  } catch (error) {
    if (error instanceof server.ModelLoadError) throw new CliError(`score: ${error.message}`);
    throw error;
  }
  const output = openOutput(given.out, s3);
  const tty = process.stderr.isTTY;
  let lastProgress = 0;
  let firstBadLine: number | undefined;
  let badShown = 0;
  try {
    const input = await openInput(given.data, s3);
    const { name, version } = model.manifest;
    process.stderr.write(`glyco: scoring ${given.data} with ${name} ${version}\n`);
    const started = performance.now();
    const result = await server.scoreCsv({
      model,
      input,
      write: output.write,
      onBadRow(line, detail) {
        firstBadLine ??= line;
        if (++badShown <= MAX_BAD_ROWS_SHOWN) {
          process.stderr.write(`${tty ? '\r\x1b[K' : ''}glyco: ${given.data} line ${line}: ${detail}\n`);
        }
      },
      onProgress({ rows, bad }) {
        const now = performance.now();
        if (!tty || now - lastProgress < PROGRESS_EVERY_MS) return;
        lastProgress = now;
        const rate = rows / ((now - started) / 1000);
        process.stderr.write(
          `\r\x1b[Kglyco: ${count(rows)} rows (${count(Math.round(rate))} rows/s), ${count(bad)} bad`,
        );
      },
    });
    await output.finish();
    const seconds = (performance.now() - started) / 1000;
    const rate = Math.round(result.rows / seconds);
    const badText =
      result.bad === 0 ? '' : `; ${count(result.bad)} bad rows left out (the first at line ${firstBadLine})`;
    process.stderr.write(
      `${tty ? '\r\x1b[K' : ''}glyco: scored ${count(result.scored)} of ${count(result.rows)} rows in ${seconds.toFixed(1)} s (${count(rate)} rows/s)${badText}; wrote ${given.out}\n`,
    );
    if (result.bad > MAX_BAD_ROWS_SHOWN) {
      process.stderr.write(`glyco: (only the first ${MAX_BAD_ROWS_SHOWN} bad rows are shown above)\n`);
    }
    if (result.bad > 0) process.exitCode = 1;
  } catch (error) {
    await output.abort();
    if (error instanceof server.ScoreInputError) throw new CliError(`score: ${given.data}: ${error.message}`);
    throw error;
  } finally {
    await model.engine.release();
    client?.destroy();
  }
}
