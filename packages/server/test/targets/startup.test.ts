import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { itWithMount, makeReadOnly } from '@glyco/prediction-log/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_DIR } from '../support/fixtures.ts';
import { runToExit } from '../support/server-process.ts';

let tampered: string;
beforeAll(async () => {
  tampered = await mkdtemp(join(tmpdir(), 'glyco-tampered-'));
  await cp(MODEL_DIR, tampered, { recursive: true });
  const bytes = await readFile(join(tampered, 'model.onnx'));
  bytes[100]! ^= 0x01;
  await writeFile(join(tampered, 'model.onnx'), bytes);
});
afterAll(() => rm(tampered, { recursive: true, force: true }));

/** The one line a failed start prints, parsed. */
function onlyLine(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!);
}

describe('the node server refuses to start, with one clear line and exit code 1,', () => {
  it('on a model whose hash does not match its manifest', async () => {
    const { code, stdout, stderr } = await runToExit({ MODEL_URI: tampered });
    expect(code).toBe(1);
    expect(stderr).toBe('');
    expect(onlyLine(stdout)).toMatchObject({
      level: 'error',
      error: 'ModelLoadError',
      msg: expect.stringMatching(
        /model\.onnx: sha256 [0-9a-f]{64} does not match the manifest's onnx\.sha256 [0-9a-f]{64}; refusing a tampered or corrupt model$/,
      ),
    });
  });

  it('on a bad environment variable', async () => {
    const { code, stdout } = await runToExit({ PORT: 'eighty', ORT_INTRA_OP_THREADS: '-2' });
    expect(code).toBe(1);
    expect(onlyLine(stdout)).toMatchObject({
      error: 'ConfigError',
      msg: 'invalid configuration: PORT must be a whole number from 0 to 65535; ORT_INTRA_OP_THREADS must be a whole number from 1 to 256',
    });
  });

  it('on a DATABASE_URL the prediction log could not use, before loading anything', async () => {
    const { code, stdout } = await runToExit({
      DATABASE_URL: 'postgres://app@db.internal/glyco?sslmode=prefer',
    });
    expect(code).toBe(1);
    expect(onlyLine(stdout)).toMatchObject({
      error: 'ConfigError',
      msg: 'invalid configuration: DATABASE_URL: sslmode=prefer is not supported; use one of disable, require, verify-ca, verify-full',
    });
  });

  it('on an embedded database directory it cannot create', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'glyco-no-dir-'));
    try {
      await mkdir(join(cwd, '.glyco'));
      await writeFile(join(cwd, '.glyco/predictions'), 'a file where the data directory would go');
      const { code, stdout } = await runToExit({ DATABASE_URL: '' }, undefined, cwd);
      expect(code).toBe(1);
      expect(onlyLine(stdout)).toMatchObject({
        error: 'PredictionLogConfigError',
        msg: expect.stringMatching(
          /^cannot use .*\.glyco\/predictions for the embedded prediction database \(\w+\): run from a writable working directory, or set DATABASE_URL/,
        ),
      });
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it('on a spool directory it cannot use, saying where it comes from', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'glyco-no-spool-'));
    try {
      await mkdir(join(cwd, '.glyco'));
      await writeFile(join(cwd, '.glyco/spool'), 'a file where the spool directory would go');
      const { code, stdout, stderr } = await runToExit({ DATABASE_URL: '' }, undefined, cwd);
      expect(code).toBe(1);
      expect(stderr).toBe('');
      expect(onlyLine(stdout)).toMatchObject({
        error: 'SpoolDirectoryError',
        msg: expect.stringMatching(
          /^prediction log: the spool directory \S+\.glyco\/spool cannot be used \(EEXIST\)\. It sits beside the embedded database/,
        ),
      });
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });

  itWithMount('on a read-only spool directory', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'glyco-read-only-spool-'));
    await mkdir(join(cwd, '.glyco/spool'), { recursive: true });
    const writable = await makeReadOnly(join(cwd, '.glyco/spool'));
    try {
      const { code, stdout, stderr } = await runToExit({ DATABASE_URL: '' }, undefined, cwd);
      expect(code).toBe(1);
      expect(stderr).toBe('');
      expect(onlyLine(stdout)).toMatchObject({
        error: 'SpoolDirectoryError',
        msg: expect.stringMatching(/^prediction log: the spool directory \S+ cannot be used \(EROFS\)/),
      });
    } finally {
      await writable();
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it('on an embedded database that another running process holds', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'glyco-held-'));
    try {
      await mkdir(join(cwd, '.glyco/predictions'), { recursive: true });
      // This test's own process is the running holder.
      await writeFile(join(cwd, '.glyco/predictions/glyco.lock'), `${process.pid}\n`);
      const { code, stdout } = await runToExit({ DATABASE_URL: '' }, undefined, cwd);
      expect(code).toBe(1);
      expect(onlyLine(stdout)).toMatchObject({
        error: 'DirectoryInUseError',
        msg: expect.stringContaining(`is in use by process ${process.pid}`),
      });
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it('on a port already in use', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const { code, stdout } = await runToExit({ PORT: String(port) });
      expect(code).toBe(1);
      expect(stdout.trim().split('\n').at(-1)).toContain(
        `cannot listen on 127.0.0.1:${port}: the port is already in use`,
      );
    } finally {
      blocker.close();
    }
  });
});
