import { chmodSync, chownSync, copyFileSync, linkSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { imageVolumes } from '../../src/image/dockerfile-volumes.ts';

/**
 * The directory ECS on Fargate mounts at a task bind mount's path: a copy of the image's directory when the
 * image's stage (`stage`, else the last) declares the path a VOLUME (its owner and mode as the Dockerfile makes
 * them), else an empty directory owned by root, mode 0755.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bind-mounts.html
 */
export function fargateBindMount(dockerfile: string, path: string, at: string, stage?: string): string {
  const volume = imageVolumes(dockerfile, stage).find((candidate) => candidate.path === path);
  mkdirSync(at);
  chownSync(at, Number(volume?.owner ?? 0), Number(volume?.group ?? 0));
  chmodSync(at, volume?.mode ?? 0o755);
  return at;
}

/** `node`, where a user other than root can run it (the tools' copy sits under root's 0700 home). */
export function nodeForAnyUser(dir: string): string {
  const node = join(dir, 'node');
  try {
    linkSync(process.execPath, node);
  } catch {
    copyFileSync(process.execPath, node);
  }
  chmodSync(node, 0o755);
  return node;
}

/** `user[:group]` (numeric, as USER gives them) → uid and gid. */
export function userIds(user: string | undefined): { uid: number; gid: number } {
  const [uid, gid = uid] = (user ?? '0').split(':').map(Number) as [number, number?];
  return { uid, gid };
}
