/**
 * What authentication costs per request: server CPU µs per request of GET /v1/models (a route that declares a
 * scope and does little else) with authentication off, with an API key, and with an ES256 bearer JWT of an
 * OpenID provider on loopback, the difference to "off" being the middleware's cost. Rounds alternate the
 * servers, and the median of each is printed with the load average: on a shared machine, run it when quiet.
 *
 *   node bench/auth.ts            (ROUNDS=5 BENCH_SECONDS=5 CONNECTIONS=16 by default)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiKey } from '@glyco/contract';
import { freePort } from '../src/testing/free-port.ts';
import { startIdentityProvider } from '../src/testing/identity-provider.ts';
import { cpuMillis, median, run } from './measure.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 16);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const AUDIENCE = 'https://glyco.example/api';

/** Starts a bench server, added to `servers` at once so that it is stopped whatever happens next. */
async function startServer(
  env: Record<string, string>,
  servers: ChildProcess[],
): Promise<{ base: string; child: ChildProcess }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [join(packageDir, 'bench/server.ts')], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: 'off', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  servers.push(child);
  for (let i = 0; i < 300; i++) {
    if (
      await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { base, child };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the bench server did not come up');
}

const idp = await startIdentityProvider();
const servers: ChildProcess[] = [];
try {
  const key = createApiKey('bench', ['predict']);
  const token = await idp.token({
    aud: AUDIENCE,
    client_id: 'bench',
    scope: 'predict',
    exp: Math.floor(Date.now() / 1000) + 3600,
  });
  const open = await startServer({}, servers);
  const guarded = await startServer(
    { API_KEYS: JSON.stringify({ keys: [key.entry] }), OIDC_ISSUER: idp.issuer, OIDC_AUDIENCE: AUDIENCE },
    servers,
  );
  const scenarios: { name: string; server: typeof open; headers: Record<string, string> }[] = [
    { name: 'authentication off', server: open, headers: {} },
    { name: 'API key (X-API-Key)', server: guarded, headers: { 'x-api-key': key.key } },
    { name: 'bearer JWT (ES256)', server: guarded, headers: { authorization: `Bearer ${token}` } },
  ];
  const cpu = scenarios.map(() => [] as number[]);
  const rps = scenarios.map(() => [] as number[]);
  process.stdout.write(
    `GET /v1/models, ${ROUNDS} rounds × ${SECONDS} s, ${CONNECTIONS} connections, load average ${loadavg()[0]!.toFixed(1)} at start\n`,
  );
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, { name, server, headers }] of scenarios.entries()) {
      const before = cpuMillis(server.child.pid);
      const result = await run({
        url: `${server.base}/v1/models`,
        connections: CONNECTIONS,
        seconds: SECONDS,
        headers,
      });
      const answered = result.latencies.length;
      if ((result.statuses.get(200) ?? 0) !== answered) throw new Error(`${name}: not every answer was 200`);
      cpu[i]!.push(((cpuMillis(server.child.pid) - before) * 1000) / answered);
      rps[i]!.push(answered / result.seconds);
    }
  }
  const baseline = median(cpu[0]!);
  for (const [i, { name }] of scenarios.entries()) {
    const micros = median(cpu[i]!);
    const extra = i === 0 ? '' : `, +${(micros - baseline).toFixed(0)} µs over off`;
    process.stdout.write(
      `${name.padEnd(24)} ${median(rps[i]!).toFixed(0).padStart(7)} req/s  ${micros.toFixed(0).padStart(5)} µs CPU/request${extra}\n`,
    );
  }
  process.stdout.write(`load average ${loadavg()[0]!.toFixed(1)} at the end\n`);
} finally {
  for (const child of servers) child.kill('SIGTERM');
  await idp.close();
}
