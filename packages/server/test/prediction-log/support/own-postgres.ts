import { execFile } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../../src/testing/free-port.ts';

const run = promisify(execFile);

/** A PostgreSQL server of the test's own, on loopback, that it may stop and start without disturbing others. */
export interface OwnPostgres {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

const bindir = process.env.TEST_POSTGRES_BINDIR;
if (!bindir && process.env.CI === 'true') {
  throw new Error(
    'TEST_POSTGRES_BINDIR is not set: CI must run the fault tests against PostgreSQL (.ci/postgres.sh)',
  );
}
export const ownPostgresUnavailable = bindir
  ? undefined
  : 'TEST_POSTGRES_BINDIR is not set (run `source .ci/postgres.sh && start_test_postgres`)';

/** initdb into a temp dir and start, as the `postgres` user: the server refuses to run as root. */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'glyco-own-pg-'));
  const { uid, gid } = await postgresUser();
  await chown(dir, uid, gid);
  const port = await freePort();
  const asPostgres = (tool: string, args: string[]) =>
    run('runuser', ['-u', 'postgres', '--', join(bindir!, tool), ...args], { timeout: 60_000 });
  const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off`;
  await asPostgres('initdb', ['-D', join(dir, 'data'), '-U', 'glyco', '--auth=trust', '-E', 'UTF8']);
  const start = async () => {
    await asPostgres('pg_ctl', [
      '-D',
      join(dir, 'data'),
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-o',
      options,
      'start',
    ]);
  };
  const stop = async () => {
    await asPostgres('pg_ctl', ['-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop']);
  };
  await start();
  return {
    url: `postgres://glyco@127.0.0.1:${port}/postgres`,
    start,
    stop,
    async destroy() {
      await stop().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
}
