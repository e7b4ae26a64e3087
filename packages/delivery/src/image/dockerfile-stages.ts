import { Copy, DockerfileParser, type From, type Instruction } from 'dockerfile-ast';

/** One `FROM … [AS name]` and the instructions up to the next. */
export interface Stage {
  /** The `AS` name; undefined for an unnamed stage. */
  name: string | undefined;
  from: From;
  /** Its instructions, the FROM first. */
  instructions: Instruction[];
}

export function stages(dockerfileText: string): Stage[] {
  const dockerfile = DockerfileParser.parse(dockerfileText);
  const froms = dockerfile.getFROMs();
  const all = dockerfile.getInstructions();
  return froms.map((from, index) => {
    const start = from.getRange().start.line;
    const end = froms[index + 1]?.getRange().start.line ?? Number.POSITIVE_INFINITY;
    const instructions = all.filter((instruction) => {
      const line = instruction.getRange().start.line;
      return line >= start && line < end;
    });
    return { name: from.getBuildStage() ?? undefined, from, instructions };
  });
}

/**
 * The stages that are images someone runs: those no other stage builds on (`FROM <stage>`) or copies from
 * (`COPY --from=<stage>`). Here the jobs image (`--target jobs`) and the serving image (the last stage).
 */
export function imageStages(dockerfileText: string): Stage[] {
  const all = stages(dockerfileText);
  const used = new Set<string>();
  for (const stage of all) {
    used.add(stage.from.getImageName() ?? '');
    for (const instruction of stage.instructions) {
      const from = instruction instanceof Copy ? instruction.getFromFlag()?.getValue() : undefined;
      if (from) used.add(from);
    }
  }
  return all.filter((stage) => !stage.name || !used.has(stage.name));
}

/** The stage of that name; without a name, the last stage (what a plain `docker build` makes). */
export function stage(dockerfileText: string, name?: string): Stage {
  const all = stages(dockerfileText);
  const found = name === undefined ? all.at(-1) : all.find((candidate) => candidate.name === name);
  if (!found) throw new Error(name === undefined ? 'the Dockerfile has no FROM' : `no stage "${name}"`);
  return found;
}

/** The stage's last `USER` as `user[:group]`, or undefined when it sets none (root). */
export function stageUser(dockerfileText: string, name?: string): string | undefined {
  const users = stage(dockerfileText, name).instructions.filter(
    (instruction) => instruction.getKeyword() === 'USER',
  );
  return users.at(-1)?.getArgumentsContent()?.trim();
}
