/**
 * The worst bodies a client can send within MAX_BODY_BYTES, each sent by four clients at 1.4 MB/s in all (the
 * load issue 18 reported) while one more client probes `/health`: what one such request costs the server (CPU
 * from /proc), the share of a core that load takes, and what it does to everyone else's latency (the probe's
 * p50 and p99, beside the probe alone). Issue 18 measured 0.6-1.35 s of blocked event loop per request for the
 * first two bodies, and a /health p50 of 5.5 s under that load.
 */
import type { ModelManifest } from '@glyco/contract';
import { exampleRow } from '../src/model/example-row.ts';
import { cpuMillis, percentile, run } from './measure.ts';

const HOSTILE_CLIENTS = 4;
const HOSTILE_BYTES_PER_SECOND = 1.4e6;

function hostileBodies(manifest: ModelManifest): { name: string; path: string; body: string }[] {
  const row = exampleRow(manifest);
  const invalidRow = { ...row, [manifest.features[0]!.name]: 'x', [`${manifest.features[1]!.name}z`]: 1 };
  const width = manifest.features.length;
  return [
    {
      name: '90,000 unknown keys',
      path: '/predict',
      body: JSON.stringify(Object.fromEntries(Array.from({ length: 90_000 }, (_, i) => [`k${i}`, 1]))),
    },
    {
      name: 'one key of 1,000,000 characters',
      path: '/predict',
      body: JSON.stringify({ ['k'.repeat(1_000_000)]: 1 }),
    },
    {
      name: 'arrays nested 500,000 deep',
      path: '/predict',
      body: `${'['.repeat(500_000)}${']'.repeat(500_000)}`,
    },
    {
      name: '1000 instances, each invalid',
      path: '/predict',
      body: JSON.stringify({ instances: Array.from({ length: 1000 }, () => invalidRow) }),
    },
    {
      name: 'v2 tensor of 1000 invalid rows',
      path: `/v2/models/${manifest.name}/infer`,
      body: JSON.stringify({
        inputs: [
          {
            name: manifest.onnx.input.name,
            shape: [1000, width],
            datatype: 'FP32',
            data: Array(1000 * width).fill(-5),
          },
        ],
      }),
    },
  ];
}

const ms = (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms`;

/**
 * Prints one line per worst-case body, beside the probe alone; asserts nothing. A body's CPU cost is measured
 * first with its four clients sending as fast as answers come (many requests: /proc counts CPU in 10 ms
 * ticks), then the probe runs beside the body at the issue's rate.
 */
export async function benchHostileBodies(
  base: string,
  pid: number | undefined,
  manifest: ModelManifest,
  seconds: number,
): Promise<void> {
  const probe = () => run({ url: `${base}/health`, connections: 1, seconds });
  const alone = await probe();
  const pad = (text: string, width: number) => text.padStart(width);
  process.stdout.write(
    `\nworst-case bodies: CPU per request with ${HOSTILE_CLIENTS} clients sending as fast as answered; then ${HOSTILE_CLIENTS} clients at ${HOSTILE_BYTES_PER_SECOND / 1e6} MB/s in all beside 1 client probing GET /health, ${seconds} s each\n` +
      `${'body'.padEnd(34)}${pad('bytes', 10)}${pad('status', 8)}${pad('CPU/request', 13)}${pad('per MB', 10)}${pad('CPU share', 11)}${pad('/health p50', 13)}${pad('p99', 10)}\n` +
      `${'none (the probe alone)'.padEnd(34)}${pad('-', 10)}${pad('-', 8)}${pad('-', 13)}${pad('-', 10)}${pad('-', 11)}` +
      `${pad(ms(percentile(alone.latencies, 50)), 13)}${pad(ms(percentile(alone.latencies, 99)), 10)}\n`,
  );
  for (const { name, path, body } of hostileBodies(manifest)) {
    const url = `${base}${path}`;
    const bytes = Buffer.byteLength(body);
    const before = cpuMillis(pid);
    const flood = await run({ url, connections: HOSTILE_CLIENTS, seconds, body });
    const cpu = (cpuMillis(pid) - before) / flood.latencies.length;
    const rate = Math.max(1, Math.round(HOSTILE_BYTES_PER_SECOND / bytes));
    const [, probed] = await Promise.all([
      run({ url, connections: HOSTILE_CLIENTS, seconds, body, rate }),
      probe(),
    ]);
    const statuses = [...flood.statuses.keys()].join('/') || 'none';
    process.stdout.write(
      `${name.padEnd(34)}${pad(String(bytes), 10)}${pad(statuses, 8)}${pad(ms(cpu), 13)}` +
        `${pad(ms((cpu * 1e6) / bytes), 10)}${pad(`${((cpu * rate) / 10).toFixed(0)}%`, 11)}` +
        `${pad(ms(percentile(probed.latencies, 50)), 13)}${pad(ms(percentile(probed.latencies, 99)), 10)}\n`,
    );
  }
}
