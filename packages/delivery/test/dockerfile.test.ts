import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintDockerfile } from '../src/image/dockerfile-lint.ts';
import { finalUser, imageVolumes, writableBy } from '../src/image/dockerfile-volumes.ts';
import { workspaceRoot } from '../src/paths.ts';

const dockerfile = readFileSync(join(workspaceRoot, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(join(workspaceRoot, '.dockerignore'), 'utf8').split('\n');

describe('the Dockerfile', () => {
  it('passes the linter', () => {
    expect(lintDockerfile(dockerfile)).toEqual([]);
  });

  it('runs the Lambda handler by default on the Lambda base image, from the app directory the package target makes', () => {
    const froms = dockerfile.match(/^FROM \S+/gm) ?? [];
    expect(froms.at(-1)).toMatch(/^FROM public\.ecr\.aws\/lambda\/nodejs:24@sha256:[0-9a-f]{64}$/);
    expect(dockerfile).toMatch(/pnpm --filter @glyco\/delivery run package --out \/out\/app\n/);
    expect(dockerfile).toMatch(/^COPY --from=build \/out\/app \/var\/task\/$/m);
    expect(dockerfile).toMatch(/^CMD \["dist\/lambda\.handler"\]$/m);
  });

  it('declares /tmp a VOLUME its user can write, so an ECS bind mount there starts writable, not root 0755', () => {
    const tmp = imageVolumes(dockerfile).find((volume) => volume.path === '/tmp');
    expect(tmp).toBeDefined();
    expect(writableBy(tmp!, finalUser(dockerfile)!)).toBe(true);
  });

  it('copies every file `pnpm fetch` reads before running it: the lockfile, the workspace file, .npmrc and the patches it names', () => {
    const lines = dockerfile.split('\n');
    const fetchAt = lines.findIndex((line) => /\bpnpm fetch\b/.test(line));
    expect(fetchAt).toBeGreaterThan(0);
    const copied = lines
      .slice(0, fetchAt)
      .filter((line) => /^COPY (?!--from)/.test(line))
      .flatMap((line) => line.split(/\s+/).slice(1, -1));
    const workspace = readFileSync(join(workspaceRoot, 'pnpm-workspace.yaml'), 'utf8');
    const patches = [...workspace.matchAll(/^\s+\S+: (patches\/\S+)$/gm)].map((match) => match[1]!);
    for (const needed of ['pnpm-lock.yaml', 'pnpm-workspace.yaml', '.npmrc', ...patches]) {
      const covered = copied.some(
        (source) => source === needed || needed.startsWith(`${source.replace(/\/$/, '')}/`),
      );
      expect(covered, `${needed} is not copied before pnpm fetch`).toBe(true);
    }
  });

  it('keeps installed and built files, git metadata and local secrets out of the build context', () => {
    for (const pattern of ['**/node_modules', '**/dist', '.git', '.env', '.env.*']) {
      expect(dockerignore).toContain(pattern);
    }
    expect(dockerignore.some((line) => /^(models|packages)(\/|$)|^\*$/.test(line))).toBe(false);
  });
});

describe('the Dockerfile linter', () => {
  const good = `FROM node:24-bookworm-slim@sha256:${'a'.repeat(64)} AS build
RUN echo build
FROM public.ecr.aws/lambda/nodejs:24@sha256:${'b'.repeat(64)}
COPY --from=build /out /var/task/
USER 10001:10001
CMD ["dist/lambda.handler"]
`;

  it('accepts a compliant Dockerfile', () => {
    expect(lintDockerfile(good)).toEqual([]);
  });

  it('accepts a VOLUME that the image makes writable for its user, by owner or by mode', () => {
    for (const made of ['-o 10001 -g 10001 -m 0700', '-m 1777', '--group=10001 --mode=0770']) {
      const withVolume = good.replace(
        'USER 10001:10001',
        `RUN ln -s /var/task /app \\\n && install -d ${made} /tmp\nVOLUME ["/tmp"]\nUSER 10001:10001`,
      );
      expect(lintDockerfile(withVolume), made).toEqual([]);
    }
  });

  it.each([
    ['an image pinned by tag only', (t: string) => t.replace(/@sha256:a+/, ''), /not pinned by digest/],
    ['an Alpine base', (t: string) => t.replace('node:24-bookworm-slim', 'node:24-alpine'), /Alpine/],
    [
      'ADD',
      (t: string) => t.replace('COPY --from=build /out /var/task/', 'ADD app.tar /var/task/'),
      /use COPY/,
    ],
    [
      'a shell-form CMD',
      (t: string) => t.replace('CMD ["dist/lambda.handler"]', 'CMD node dist/server.mjs'),
      /shell form/,
    ],
    ['a root final user', (t: string) => t.replace('USER 10001:10001', 'USER root'), /final USER is root/],
    ['no final user', (t: string) => t.replace('USER 10001:10001\n', ''), /no USER/],
    [
      'a secret in ENV',
      (t: string) => t.replace('RUN echo build', 'ENV NPM_TOKEN=abc'),
      /NPM_TOKEN looks like a secret/,
    ],
    [
      'a relative WORKDIR (dockerfile-utils)',
      (t: string) => t.replace('RUN echo build', 'WORKDIR app'),
      /absolute/,
    ],
    [
      'a VOLUME the user cannot write (root 0755, as Fargate would mount it)',
      (t: string) => t.replace('USER 10001:10001', 'VOLUME ["/tmp"]\nUSER 10001:10001'),
      /VOLUME \/tmp is root:root 755, which USER 10001:10001 cannot write/,
    ],
    [
      'a VOLUME made for another user',
      (t: string) =>
        t.replace('USER 10001:10001', 'RUN install -d -o 20002 -m 0700 /tmp\nVOLUME /tmp\nUSER 10001:10001'),
      /VOLUME \/tmp is 20002:root 700/,
    ],
    [
      'an unknown flag (dockerfile-utils)',
      (t: string) => t.replace('COPY --from', 'COPY --form'),
      /Unknown flag/,
    ],
  ])('reports %s', (_, breakIt, finding) => {
    const broken = breakIt(good);
    expect(broken).not.toBe(good);
    expect(lintDockerfile(broken).join('\n')).toMatch(finding);
  });
});
