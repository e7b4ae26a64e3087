import { DockerfileParser, type Instruction, PropertyInstruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { imageStages } from './dockerfile-stages.ts';
import { imageVolumes, writableBy } from './dockerfile-volumes.ts';

/**
 * Lints a Dockerfile: Microsoft's dockerfile-utils validator (what Docker's parser would reject, casing, JSON
 * form, relative WORKDIR…), then this project's rules, modelled on hadolint's: base images pinned by digest and
 * not Alpine (onnxruntime needs glibc), COPY rather than ADD, exec-form CMD and ENTRYPOINT, in every image stage
 * (see imageStages: the jobs image and the serving image) a non-root final USER who can write each of its
 * VOLUMEs (see imageVolumes), no secrets baked into ENV or ARG. Returns `line N: message` findings; empty when
 * clean.
 */
export function lintDockerfile(text: string): string[] {
  const findings = validate(text).map(
    (problem) => `line ${problem.range.start.line + 1}: ${problem.message}`,
  );
  const dockerfile = DockerfileParser.parse(text);
  const instructions = dockerfile.getInstructions();
  const at = (instruction: Instruction, message: string) =>
    findings.push(`line ${instruction.getRange().start.line + 1}: ${message}`);

  const stages = new Set<string>();
  for (const from of dockerfile.getFROMs()) {
    const image = from.getImage() ?? '';
    if (!stages.has(image)) {
      if (!/^sha256:[0-9a-f]{64}$/.test(from.getImageDigest() ?? ''))
        at(from, `${image} is not pinned by digest`);
      if (/alpine/i.test(image)) at(from, `${image} is Alpine (musl); onnxruntime-node needs glibc`);
    }
    const stage = from.getBuildStage();
    if (stage) stages.add(stage);
  }

  for (const instruction of instructions) {
    const keyword = instruction.getKeyword();
    const args = instruction.getArgumentsContent() ?? '';
    if (keyword === 'ADD') at(instruction, 'use COPY: ADD also fetches URLs and unpacks archives');
    if ((keyword === 'CMD' || keyword === 'ENTRYPOINT') && !args.trimStart().startsWith('[')) {
      at(instruction, `${keyword} in shell form: signals (SIGTERM) would go to a shell, not the app`);
    }
    if (instruction instanceof PropertyInstruction) {
      for (const name of instruction.getProperties().map((property) => property.getName())) {
        if (/SECRET|PASSWORD|TOKEN|ACCESS_KEY/i.test(name)) {
          at(instruction, `${keyword} ${name} looks like a secret; anyone who pulls the image can read it`);
        }
      }
    }
  }

  for (const image of imageStages(text)) {
    const label = image.name ? `stage ${image.name}` : 'the final stage';
    const users = image.instructions.filter((instruction) => instruction.getKeyword() === 'USER');
    const userAndGroup = users.at(-1)?.getArgumentsContent()?.trim();
    const user = userAndGroup?.split(':')[0];
    if (user === undefined) findings.push(`${label} sets no USER: the app would run as root`);
    else if (user === 'root' || user === '0') at(users.at(-1)!, `${label}: the final USER is root`);
    for (const volume of userAndGroup ? imageVolumes(text, image.name) : []) {
      if (!writableBy(volume, userAndGroup!)) {
        findings.push(
          `line ${volume.line}: VOLUME ${volume.path} is ${volume.owner}:${volume.group} ${volume.mode.toString(8)}, ` +
            `which USER ${userAndGroup} cannot write (ECS mounts it as the image has it): make it with ` +
            `\`RUN install -d -o <user> -g <group> -m <mode> ${volume.path}\` before the VOLUME`,
        );
      }
    }
  }
  return findings;
}
