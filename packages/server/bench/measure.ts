import type { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** CPU time a process has used, in ms (Linux /proc; NaN elsewhere). */
export function cpuMillis(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

export interface Run {
  /** Every response's latency, in ms, sorted. */
  latencies: Float64Array;
  /** Responses by status code. */
  statuses: Map<number, number>;
  errors: number;
  seconds: number;
}

/** One autocannon run that keeps every response's latency and status. */
export async function run(options: {
  url: string;
  connections: number;
  seconds: number;
  body?: string | undefined;
  /** Requests per second across all connections; default as fast as answers come. */
  rate?: number | undefined;
  /** Sent with every request (credentials). */
  headers?: Record<string, string> | undefined;
}): Promise<Run> {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    ...(options.rate ? { overallRate: options.rate } : {}),
    ...(options.body ? { method: 'POST', body: options.body } : {}),
    headers: { ...(options.body ? { 'content-type': 'application/json' } : {}), ...options.headers },
    setupClient: (client: EventEmitter) =>
      client.on('response', (status: number, _bytes: number, ms: number) => {
        latencies.push(ms);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }),
  });
  return {
    latencies: Float64Array.from(latencies).sort(),
    statuses,
    errors: result.errors + result.timeouts,
    seconds: result.duration,
  };
}
