/// <reference path="../../registry/test/s3rver.d.ts" />
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { bootstrap, loadConfig, type Runtime } from '@glyco/server';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'packages/cli/src/main.ts');
const MODEL = join(ROOT, 'models/pima-diabetes/1.1.0');
const ENV = { ...process.env, DATABASE_URL: 'off', MODEL_URI: '' };

const HEADER = 'id,pregnant,glucose,pressure,triceps,insulin,mass,pedigree,age';
const ROWS = [
  'a-1,6,148,72,35,0,33.6,0.627,50',
  '"b,2",1,85,66,29,0,26.6,0.351,31',
  'c-3,8,183,64,,0,23.3,0.672,32',
];

let work: string;
let runtime: Runtime;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'glyco-score-'));
  runtime = await bootstrap({ ...loadConfig({ DATABASE_URL: 'off', LOG_LEVEL: 'silent' }), modelUri: MODEL });
});
afterAll(async () => {
  await runtime.models.close();
  await rm(work, { recursive: true, force: true });
});

function glycoScore(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) {
  const result = spawnSync(process.execPath, [MAIN, 'score', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...ENV, ...options.env },
    input: options.input,
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** As glycoScore, without blocking this process's event loop (the S3 server of the tests runs in it). */
async function glycoScoreAsync(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [MAIN, 'score', ...args], { cwd: ROOT, env: { ...ENV, ...env } });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdout.resume();
  const [status] = (await once(child, 'exit')) as [number | null];
  return { status, stderr };
}

async function csvFile(name: string, lines: string[]): Promise<string> {
  const path = join(work, name);
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

/** What POST /predict answers for the rows: the reference every scored row must match. */
async function predicted(rows: Record<string, number | null>[]) {
  const res = await runtime.app.request('/predict', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ instances: rows }),
  });
  return ((await res.json()) as { predictions: Record<string, unknown>[] }).predictions;
}

const features = (line: string) => {
  const values = line
    .replace(/^"[^"]*"|^[^,]*/, '')
    .slice(1)
    .split(',');
  const names = HEADER.split(',').slice(1);
  return Object.fromEntries(names.map((name, i) => [name, values[i] === '' ? null : Number(values[i])]));
};

/** Each test starts the command once or twice, a second or two each on a loaded machine: 5 s is too tight. */
const PROCESS_TESTS = { timeout: 60_000 };

describe('glyco score', PROCESS_TESTS, () => {
  it('writes each row as it came with /predict’s answer after it, and a summary', async () => {
    const data = await csvFile('in.csv', [HEADER, ...ROWS]);
    const out = join(work, 'out.csv');
    const { status, stderr } = glycoScore(['--model', MODEL, '--data', data, '--out', out]);
    expect(status).toBe(0);
    expect(stderr).toMatch(/^glyco: scored 3 of 3 rows in [\d.]+ s \([\d,]+ rows\/s\); wrote .*out\.csv$/m);
    const lines = (await readFile(out, 'utf8')).trimEnd().split('\n');
    expect(lines[0]).toBe(`${HEADER},prediction,label,probability,risk_level`);
    const answers = await predicted(ROWS.map(features));
    for (const [i, row] of ROWS.entries()) {
      const { prediction, label, probability, risk_level } = answers[i]!;
      expect(lines[i + 1]).toBe(`${row},${prediction},${label},${probability},${risk_level}`);
    }
  });

  it('reports a bad row with its line and scores the others (exit 1: some rows were left out)', async () => {
    const data = await csvFile('bad.csv', [
      HEADER,
      ROWS[0]!,
      'x,1,900,72,35,0,33.6,0.627,50',
      'y,1,2',
      ROWS[1]!,
    ]);
    const out = join(work, 'partial.csv');
    const { status, stderr } = glycoScore(['--model', MODEL, '--data', data, '--out', out]);
    expect(status).toBe(1);
    expect(stderr).toContain(`glyco: ${data} line 3: glucose must be at most 600`);
    expect(stderr).toContain(`glyco: ${data} line 4: holds 3 cells, but the header has 9 columns`);
    expect(stderr).toMatch(/scored 2 of 4 rows .*; 2 bad rows left out \(the first at line 3\)/);
    const lines = (await readFile(out, 'utf8')).trimEnd().split('\n');
    expect(lines.map((line) => line.split(',')[0])).toEqual(['id', 'a-1', '"b']);
  });

  it('reads stdin and writes stdout with -', async () => {
    const { status, stdout } = glycoScore(['--model', MODEL, '--data', '-', '--out', '-'], {
      input: `${[HEADER, ROWS[0]].join('\n')}\n`,
    });
    expect(status).toBe(0);
    expect(stdout.split('\n')[1]).toMatch(/^a-1,6,148,72,35,0,33\.6,0\.627,50,1,pos,0\.\d+,high$/);
  });

  it('shows its progress on a terminal, and none when stderr is not one', async () => {
    const data = await csvFile('progress.csv', [
      HEADER,
      ...Array.from({ length: 10_000 }, (_, i) => ROWS[i % 3]!),
    ]);
    const out = join(work, 'progress-out.csv');
    const command = [process.execPath, MAIN, 'score', '--model', MODEL, '--data', data, '--out', out];
    // script(1) runs the command on a pseudo-terminal, as a user's shell would.
    const onTerminal = spawnSync(
      'script',
      ['-qec', command.map((arg) => `'${arg}'`).join(' '), '/dev/null'],
      {
        encoding: 'utf8',
        env: ENV,
        timeout: 60_000,
      },
    );
    expect(onTerminal.status).toBe(0);
    // Each update rewrites the terminal line: a carriage return, then ESC [K to clear it.
    expect(onTerminal.stdout).toMatch(/glyco: [\d,]+ rows \([\d,]+ rows\/s\), 0 bad/);
    expect(onTerminal.stdout).toContain('\r\u001b[Kglyco: ');
    expect(onTerminal.stdout).toContain('\r\u001b[Kglyco: scored 10,000 of 10,000 rows');
    const piped = glycoScore(['--model', MODEL, '--data', data, '--out', out]);
    expect(piped.stderr).not.toContain('\r');
  });

  it('writes to a pipe or a device as it is, never renaming a file over it', async () => {
    // A FIFO of the test's own, not /dev/null: were the command to rename a file over it, only this would break.
    const fifo = join(work, 'scored.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = spawn('cat', [fifo]);
    const readerDone = once(reader, 'close');
    let received = '';
    reader.stdout.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
    const data = await csvFile('to-fifo.csv', [HEADER, ...ROWS]);
    const { status } = await glycoScoreAsync(['--model', MODEL, '--data', data, '--out', fifo], {});
    await readerDone;
    expect(status).toBe(0);
    expect(received.trimEnd().split('\n')).toHaveLength(ROWS.length + 1);
    expect((await stat(fifo)).isFIFO()).toBe(true);
  });

  it.each([
    [['--data', 'in.csv', '--out', 'out.csv'], 2, /^glyco: score: --model is required/],
    [
      ['--model', MODEL, '--data', '/no/such.csv', '--out', 'x.csv'],
      1,
      /^glyco: cannot read \/no\/such\.csv: ENOENT\n$/,
    ],
    [
      ['--model', '/no/model', '--data', 'in.csv', '--out', 'x.csv'],
      1,
      /^glyco: score: no model at \/no\/model/,
    ],
    [
      ['--model', MODEL, '--data', 's3://bucket', '--out', 'x.csv'],
      2,
      /^glyco: s3:\/\/bucket is not an S3 object URI/,
    ],
  ])('refuses %j in one line', (args, status, stderr) => {
    const result = glycoScore(args);
    expect(result.status).toBe(status);
    expect(result.stderr).toMatch(stderr);
  });

  it('refuses a header without a column the model needs, and leaves no output', async () => {
    const data = await csvFile('no-pedigree.csv', ['id,pregnant,glucose,age', 'a,1,100,30']);
    const out = join(work, 'never.csv');
    const { status, stderr } = glycoScore(['--model', MODEL, '--data', data, '--out', out]);
    expect(status).toBe(1);
    expect(stderr).toMatch(
      /no-pedigree\.csv: line 1: the header has no column for pedigree, which the model needs\n$/,
    );
    expect(existsSync(out)).toBe(false);
    expect((await readdir(work)).filter((name) => name.startsWith('never'))).toEqual([]);
  });

  it('streams a file far larger than its heap may grow (constant memory)', async () => {
    const data = join(work, 'large.csv');
    const file = createWriteStream(data);
    file.write(`${HEADER}\n`);
    const rows = 3_000_000;
    for (let i = 0; i < rows; i += 1000) {
      const chunk = Array.from({ length: 1000 }, (_, j) => ROWS[(i + j) % ROWS.length]).join('\n');
      if (!file.write(`${chunk}\n`)) await once(file, 'drain');
    }
    file.end();
    await once(file, 'finish');
    // 3,000,000 rows are 104 MB in and 176 MB out; the heap is capped below either. The run's live heap is ~30 MB
    // and reached 37 MB after a full GC at a load average of 5, where a 48 MB cap left the collector too little
    // room and the run died out of memory with nothing retained: 80 MB proves streaming without that margin.
    const { status, stderr } = glycoScore(
      ['--model', MODEL, '--data', data, '--out', join(work, 'large-out.csv')],
      {
        env: { NODE_OPTIONS: '--max-old-space-size=80' },
      },
    );
    expect(stderr).toMatch(/scored 3,000,000 of 3,000,000 rows/);
    expect(status).toBe(0);
  }, 120_000);
});

describe.each([
  [
    'iris',
    'models/iris/1.0.0',
    'data/iris.csv',
    'prediction,label,probabilities_setosa,probabilities_versicolor,probabilities_virginica',
  ],
  [
    'diabetes-progression',
    'models/diabetes-progression/1.0.0',
    'data/diabetes-progression.csv',
    'value,unit,interval_low,interval_high,interval_coverage',
  ],
  [
    'readmissions (categorical features)',
    'packages/server/test/fixtures/models/readmissions/1.0.0',
    'packages/server/test/fixtures/readmissions/readmissions.csv',
    'prediction,label,probabilities_<30,probabilities_>30,probabilities_NO',
  ],
])('glyco score with %s', PROCESS_TESTS, (_name, model, data, answerColumns) => {
  it('writes /predict’s answer for every row of the training data, nested fields flattened', async () => {
    const out = join(work, `${_name.split(' ')[0]}.csv`);
    const { status, stderr } = glycoScore([
      '--model',
      join(ROOT, model),
      '--data',
      join(ROOT, data),
      '--out',
      out,
    ]);
    expect(status).toBe(0);
    const input = (await readFile(join(ROOT, data), 'utf8')).trimEnd().split(/\r?\n/);
    const lines = (await readFile(out, 'utf8')).trimEnd().split('\n');
    expect(stderr).toContain(`scored ${(input.length - 1).toLocaleString('en-US')} of`);
    expect(lines[0]).toBe(`${input[0]},${answerColumns}`);
    expect(lines).toHaveLength(input.length);
    const served = await bootstrap({
      ...loadConfig({ DATABASE_URL: 'off', LOG_LEVEL: 'silent' }),
      modelUri: join(ROOT, model),
    });
    try {
      const header = input[0]!.split(',').map((name) => name.replaceAll('"', ''));
      const features = served.models.current().manifest.features;
      const row = Object.fromEntries(
        features.map((feature) => {
          const cell = input[1]!.split(',')[header.indexOf(feature.name)]!;
          return [feature.name, cell === '' ? null : feature.dtype === 'category' ? cell : Number(cell)];
        }),
      );
      const res = await served.app.request('/predict', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(row),
      });
      const answer = (await res.json()) as Record<string, unknown>;
      const flat = Object.entries(answer)
        .filter(([key]) => key !== 'model' && key !== 'request_id')
        .flatMap(([, value]) =>
          typeof value === 'object' && value !== null ? Object.values(value) : [value ?? ''],
        );
      expect(lines[1]).toBe(`${input[1]},${flat.join(',')}`);
    } finally {
      await served.models.close();
    }
  });
});

describe('glyco score on S3', PROCESS_TESTS, () => {
  const bucket = 'glyco-scoring';
  let s3rver: S3rver;
  let storage: string;
  let env: NodeJS.ProcessEnv;
  let client: S3Client;
  beforeAll(async () => {
    storage = await mkdtemp(join(tmpdir(), 'glyco-score-s3-'));
    s3rver = new S3rver({
      address: '127.0.0.1',
      port: 0,
      directory: storage,
      silent: true,
      configureBuckets: [{ name: bucket }],
    });
    const { port } = (await s3rver.run()) as { port: number };
    env = {
      AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
    };
    client = new S3Client({
      endpoint: env.AWS_ENDPOINT_URL_S3,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await s3rver.close();
    await rm(storage, { recursive: true, force: true });
  });

  it('reads s3://… and writes s3://…', async () => {
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'in/data.csv', Body: `${[HEADER, ...ROWS].join('\n')}\n` }),
    );
    const { status, stderr } = await glycoScoreAsync(
      ['--model', MODEL, '--data', `s3://${bucket}/in/data.csv`, '--out', `s3://${bucket}/out/scored.csv`],
      env,
    );
    expect(stderr).toMatch(/scored 3 of 3 rows/);
    expect(status).toBe(0);
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'out/scored.csv' }));
    const lines = (await object.Body!.transformToString()).trimEnd().split('\n');
    expect(lines[0]).toBe(`${HEADER},prediction,label,probability,risk_level`);
    expect(lines).toHaveLength(4);
  });

  it('names a missing S3 object in one line', async () => {
    const { status, stderr } = await glycoScoreAsync(
      ['--model', MODEL, '--data', `s3://${bucket}/nothing.csv`, '--out', '-'],
      env,
    );
    expect(status).toBe(1);
    expect(stderr).toMatch(/^glyco: cannot read s3:\/\/glyco-scoring\/nothing\.csv: NoSuchKey/m);
  });
});
