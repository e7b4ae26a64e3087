import { type Instruction, JSONInstruction } from 'dockerfile-ast';
import { stage } from './dockerfile-stages.ts';

/** A `VOLUME` of an image's stage, and the directory the image holds at that path. */
export interface ImageVolume {
  path: string;
  /** The directory's owner, group (names or ids as the Dockerfile gives them) and octal mode. */
  owner: string;
  group: string;
  mode: number;
  /** 1-based line of the `VOLUME` instruction. */
  line: number;
}

/**
 * Why the image declares its scratch directories as `VOLUME`s: on ECS (Fargate), a task bind mount at a path
 * the image declares as a `VOLUME` starts as a copy of the image's directory, owner and mode included;
 * at any other path it is an empty directory owned by root, mode 0755, which a non-root user cannot write.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bind-mounts.html ("Considerations"), and
 * https://github.com/aws/containers-roadmap/issues/938.
 *
 * The directory's owner and mode are what the stage's `RUN install -d [-o U] [-g G] [-m MODE] <path>`
 * made before the `VOLUME` (steps after a `VOLUME` that change its path are discarded: Dockerfile reference,
 * VOLUME, "Changing the volume from within the Dockerfile"). A volume no such `install -d` prepares is
 * reported as root-owned 0755: what Fargate would mount there unless the base image made it otherwise, which
 * this reading cannot see. The stage is the one named (`jobs`), else the last (the serving image).
 */
export function imageVolumes(dockerfileText: string, stageName?: string): ImageVolume[] {
  const prepared = new Map<string, Omit<ImageVolume, 'path' | 'line'>>();
  const volumes: ImageVolume[] = [];
  for (const instruction of stage(dockerfileText, stageName).instructions) {
    const keyword = instruction.getKeyword();
    if (keyword === 'RUN') {
      for (const made of directoriesMadeByInstall(instruction.getArgumentsContent() ?? '')) {
        prepared.set(made.path, made);
      }
    }
    if (keyword === 'VOLUME') {
      for (const path of volumePaths(instruction)) {
        const directory = prepared.get(path) ?? { owner: 'root', group: 'root', mode: 0o755 };
        volumes.push({ path, ...directory, line: instruction.getRange().start.line + 1 });
      }
    }
  }
  return volumes;
}

/** Whether a process running as `user[:group]` (ids or names, as in `USER` or an ECS `user`) can write it. */
export function writableBy(volume: Pick<ImageVolume, 'owner' | 'group' | 'mode'>, user: string): boolean {
  const [uid, gid = uid] = user.split(':');
  if (uid === '0' || uid === 'root') return true;
  if (volume.mode & 0o002) return true;
  if (volume.owner === uid && volume.mode & 0o200) return true;
  return volume.group === gid && (volume.mode & 0o020) !== 0;
}

function volumePaths(instruction: Instruction): string[] {
  if (instruction instanceof JSONInstruction && instruction.getOpeningBracket()) {
    return instruction.getJSONStrings().map((argument) => argument.getJSONValue());
  }
  return instruction.getArguments().map((argument) => argument.getValue());
}

/** The directories the `install -d` commands of one shell-form `RUN` make, with their owner and mode. */
function directoriesMadeByInstall(script: string) {
  const made: Omit<ImageVolume, 'line'>[] = [];
  const commands = script.replace(/\\\r?\n/g, ' ').split(/&&|\|\||;|\n/);
  for (const command of commands) {
    const [program, ...args] = command.trim().split(/\s+/);
    if (program !== 'install' || !args.includes('-d')) continue;
    let owner = 'root';
    let group = 'root';
    let mode = 0o755;
    const paths: string[] = [];
    for (let index = 0; index < args.length; index++) {
      const arg = args[index]!;
      const value = () => args[++index] ?? '';
      if (arg === '-o') owner = value();
      else if (arg === '-g') group = value();
      else if (arg === '-m') mode = Number.parseInt(value(), 8);
      else if (arg.startsWith('--owner=')) owner = arg.slice('--owner='.length);
      else if (arg.startsWith('--group=')) group = arg.slice('--group='.length);
      else if (arg.startsWith('--mode=')) mode = Number.parseInt(arg.slice('--mode='.length), 8);
      else if (!arg.startsWith('-')) paths.push(arg);
    }
    for (const path of paths) made.push({ path, owner, group, mode });
  }
  return made;
}
