import type * as pulumi from '@pulumi/pulumi';

/** Fargate's allowed memory (MiB) for each CPU size (CPU units: 1024 = 1 vCPU). */
const FARGATE_MEMORY: Record<number, [min: number, max: number]> = {
  256: [512, 2048],
  512: [1024, 4096],
  1024: [2048, 8192],
  2048: [4096, 16384],
  4096: [8192, 30720],
};

export interface FargateSize {
  cpu: number;
  memoryMb: number;
}

/**
 * A task size Fargate offers, read from two config keys (e.g. `cpu` and `memoryMb`), or refused naming them:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size.
 */
export function readFargateSize(
  config: pulumi.Config,
  keys: { cpu: string; memoryMb: string },
  defaults: FargateSize,
): FargateSize {
  const cpu = config.getNumber(keys.cpu) ?? defaults.cpu;
  const memoryMb = config.getNumber(keys.memoryMb) ?? defaults.memoryMb;
  const range = FARGATE_MEMORY[cpu];
  if (!range) {
    throw new Error(
      `Config "${keys.cpu}" must be one of ${Object.keys(FARGATE_MEMORY).join(', ')} (Fargate sizes); got ${cpu}.`,
    );
  }
  if (memoryMb < range[0] || memoryMb > range[1] || memoryMb % 1024 !== 0) {
    throw new Error(
      `Config "${keys.memoryMb}" for ${keys.cpu} ${cpu} must be a multiple of 1024 from ${range[0]} to ${range[1]}; got ${memoryMb}.`,
    );
  }
  return { cpu, memoryMb };
}
