import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JOBS_APP } from '../src/image/app-package.ts';
import { lintDockerfile } from '../src/image/dockerfile-lint.ts';
import { imageStages, stage, stageUser } from '../src/image/dockerfile-stages.ts';
import { imageVolumes, writableBy } from '../src/image/dockerfile-volumes.ts';
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
    expect(writableBy(tmp!, stageUser(dockerfile)!)).toBe(true);
  });

  it('makes two images: jobs (--target jobs) and serve, the last stage, so a plain docker build gives the serving image', () => {
    expect(imageStages(dockerfile).map((image) => image.name)).toEqual(['jobs', 'serve']);
    expect(stage(dockerfile).name).toBe('serve');
  });

  describe('its jobs stage', () => {
    const jobs = stage(dockerfile, 'jobs');
    const text = (keyword: string) =>
      jobs.instructions
        .filter((instruction) => instruction.getKeyword() === keyword)
        .map((instruction) => instruction.getArgumentsContent());

    it("runs on the serving image's base, pinned by the same digest, as the same unprivileged user", () => {
      expect(jobs.from.getImage()).toBe(stage(dockerfile, 'serve').from.getImage());
      expect(jobs.from.getImageDigest()).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(stageUser(dockerfile, 'jobs')).toBe(stageUser(dockerfile, 'serve'));
      expect(stageUser(dockerfile, 'jobs')).toBe('10001:10001');
    });

    it("runs the glyco command as its entry point, so an ECS task's command is only its arguments", () => {
      expect(text('ENTRYPOINT')).toEqual([`["node", "/app/${JOBS_APP.entryPoints[0]}"]`]);
      expect(text('CMD')).toEqual([]);
    });

    it('holds the jobs app directory the package target makes, in /app', () => {
      expect(dockerfile).toMatch(/pnpm --filter @glyco\/delivery run package --app jobs --out \/out\/jobs\n/);
      expect(dockerfile).toMatch(/--filter "@glyco\/cli\.\.\." --filter @glyco\/delivery \\\n/);
      expect(dockerfile).toMatch(/^COPY --from=build-jobs \/out\/jobs \/app\/$/m);
      expect(text('COPY')).toEqual(['/out/jobs /app/']);
    });

    it('declares /tmp a VOLUME its user can write, made before the VOLUME, and works there', () => {
      const tmp = imageVolumes(dockerfile, 'jobs').find((volume) => volume.path === '/tmp');
      expect(tmp).toMatchObject({ owner: '10001', group: '10001', mode: 0o1777 });
      expect(writableBy(tmp!, stageUser(dockerfile, 'jobs')!)).toBe(true);
      expect(text('WORKDIR')).toEqual(['/tmp']);
    });
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

  /** The good Dockerfile with a second image, a jobs stage, before the last. */
  const withJobs = (jobsStage: string) =>
    good.replace(
      'FROM public.ecr.aws/lambda/nodejs:24',
      `${jobsStage}\nFROM public.ecr.aws/lambda/nodejs:24`,
    );
  const goodJobs = `FROM public.ecr.aws/lambda/nodejs:24@sha256:${'b'.repeat(64)} AS jobs
COPY --from=build /out /app/
RUN install -d -o 10001 -g 10001 -m 1777 /tmp
VOLUME ["/tmp"]
USER 10001:10001
ENTRYPOINT ["node", "/app/dist/glyco.mjs"]`;

  it('accepts a compliant jobs stage beside the last', () => {
    expect(lintDockerfile(withJobs(goodJobs))).toEqual([]);
  });

  it.each([
    ['unpinned', (t: string) => t.replace(/@sha256:b+ AS jobs/, ' AS jobs'), /not pinned by digest/],
    [
      'without a USER',
      (t: string) => t.replace('USER 10001:10001\nENTRYPOINT', 'ENTRYPOINT'),
      /stage jobs sets no USER/,
    ],
    [
      'run as root',
      (t: string) => t.replace('USER 10001:10001\nENTRYPOINT', 'USER 0\nENTRYPOINT'),
      /stage jobs: the final USER is root/,
    ],
    [
      'with its VOLUME made after the VOLUME (the change is discarded)',
      (t: string) =>
        t.replace(
          'RUN install -d -o 10001 -g 10001 -m 1777 /tmp\nVOLUME ["/tmp"]',
          'VOLUME ["/tmp"]\nRUN install -d -o 10001 -g 10001 -m 1777 /tmp',
        ),
      /VOLUME \/tmp is root:root 755, which USER 10001:10001 cannot write/,
    ],
    [
      'with a shell-form ENTRYPOINT',
      (t: string) =>
        t.replace('ENTRYPOINT ["node", "/app/dist/glyco.mjs"]', 'ENTRYPOINT node /app/dist/glyco.mjs'),
      /ENTRYPOINT in shell form/,
    ],
  ])('reports a jobs stage %s', (_, breakIt, finding) => {
    const broken = breakIt(goodJobs);
    expect(broken).not.toBe(goodJobs);
    expect(lintDockerfile(withJobs(broken)).join('\n')).toMatch(finding);
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
