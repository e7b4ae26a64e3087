import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@glyco/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedSecret, parseDatabaseSecret, readSecretFromAws } from '../src/database-secret.ts';
import { openPredictionLog, openPredictionLogReader } from '../src/index.ts';
import { MIGRATIONS } from '../src/migrations.ts';
import { postgres } from './support/backends.ts';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:glyco-dev-db-AbCdEf';

describe('database credentials from Secrets Manager', () => {
  it('reads username and password, and host, port and dbname when the secret has them', () => {
    expect(parseDatabaseSecret('{"username":"glyco","password":"pw","engine":"postgres"}')).toEqual({
      username: 'glyco',
      password: 'pw',
    });
    expect(
      parseDatabaseSecret('{"username":"u","password":"p","host":"db.internal","port":"5433","dbname":"x"}'),
    ).toEqual({ username: 'u', password: 'p', host: 'db.internal', port: 5433, dbname: 'x' });
  });

  it('says what is wrong with a secret without repeating it', () => {
    expect(() => parseDatabaseSecret('hunter2')).toThrow('the database secret is not JSON');
    expect(() => parseDatabaseSecret('{"password":"hunter2"}')).toThrow('no "username" and "password"');
    expect(() => parseDatabaseSecret('{"password":"hunter2"}')).not.toThrow('hunter2');
  });

  it('reads the secret again only after it is older than its maximum age (rotation)', async () => {
    let reads = 0;
    const read = async () => `{"username":"u","password":"p${++reads}"}`;
    const secret = cachedSecret(ARN, read, 60_000);
    expect((await secret()).password).toBe('p1');
    expect((await secret()).password).toBe('p1');
    const expiring = cachedSecret(ARN, read, -1);
    expect((await expiring()).password).toBe('p2');
    expect((await expiring()).password).toBe('p3');
  });

  describe('through the AWS SDK, against a Secrets Manager stand-in on loopback', () => {
    const requests: { target: string | undefined; body: string; authorization: string | undefined }[] = [];
    const server = createServer(async (request: IncomingMessage, response) => {
      let body = '';
      for await (const chunk of request) body += chunk;
      requests.push({
        target: request.headers['x-amz-target'] as string | undefined,
        body,
        authorization: request.headers.authorization,
      });
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      response.end(
        JSON.stringify({
          ARN,
          Name: 'glyco-dev-db',
          SecretString: '{"username":"glyco","password":"s3cret"}',
        }),
      );
    });
    const saved = { ...process.env };
    beforeAll(async () => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      Object.assign(process.env, {
        AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      });
    });
    afterAll(async () => {
      process.env = saved;
      await new Promise((resolve) => server.close(resolve));
    });

    it('signs a GetSecretValue call in the region of the ARN', async () => {
      expect(await readSecretFromAws(ARN)).toBe('{"username":"glyco","password":"s3cret"}');
      expect(requests.at(-1)).toMatchObject({ target: 'secretsmanager.GetSecretValue' });
      expect(JSON.parse(requests.at(-1)!.body)).toEqual({ SecretId: ARN });
      expect(requests.at(-1)!.authorization).toContain('/eu-west-1/secretsmanager/aws4_request');
    });

    it.skipIf(postgres.unavailable)('connects to PostgreSQL as the user the secret names', async () => {
      const db = await postgres.create();
      const spoolDir = await mkdtemp(join(tmpdir(), 'glyco-secret-spool-'));
      try {
        const url = new URL(db.options.database!.url!);
        const options = {
          database: {
            secretArn: ARN,
            host: url.hostname,
            port: Number(url.port),
            name: url.pathname.slice(1),
          },
        };
        const log = await openPredictionLog({ ...options, spoolDir });
        expect(log.backend).toBe('postgres');
        await log.close();
        expect(await db.query('SELECT count(*)::int AS n FROM prediction_log_migrations')).toEqual([
          { n: MIGRATIONS.length },
        ]);
        // The server trusts loopback connections, so a wrong password would pass; a wrong user does not.
        const wrongUser = async () => '{"username":"nobody","password":"x"}';
        await expect(openPredictionLogReader({ ...options, readSecret: wrongUser })).rejects.toThrow(
          'role "nobody" does not exist',
        );
      } finally {
        await db.drop();
        await rm(spoolDir, { recursive: true, force: true });
      }
    });

    it('refuses a value that is not a Secrets Manager ARN before calling AWS', async () => {
      const before = requests.length;
      await expect(
        openPredictionLogReader({ database: { secretArn: 'glyco-dev-db', host: 'h' } }),
      ).rejects.toThrow(ConfigError);
      expect(requests.length).toBe(before);
    });
  });
});
