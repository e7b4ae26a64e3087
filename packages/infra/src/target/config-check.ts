import { relative } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { type Environment, parseEnvironment } from '../environment.ts';
import { committedConfig, projectName } from '../stack-config.ts';
import { ConfigWithDefaults } from './deployment.ts';

/** Reads a target's settings from its config, as its program does (e.g. `readEksSettings`). */
export type SettingsReader = (config: pulumi.Config, env: Environment) => { model: string };

/**
 * An image reference for a check that runs before any image is pushed: the pipeline sets the real one, pinned by
 * digest, when it deploys the target.
 */
const NOT_PUSHED_YET = `000000000000.dkr.ecr.us-east-1.amazonaws.com/not-pushed-yet@sha256:${'0'.repeat(64)}`;

/**
 * Reads a target stack's committed `Pulumi.<env>.yaml` with the stack's own settings reader, with what the
 * pipeline adds (`org`, and an image it has yet to push), and without the cloud: every key a deploy would refuse
 * (a prod target without its domain, a prod EKS API open to 0.0.0.0/0, a malformed value) is refused here, before
 * the pipeline changes anything. Returns the settings.
 */
export function readCommittedSettings<T>(args: {
  stackDir: string;
  env: string;
  org: string;
  read: (config: pulumi.Config, env: Environment) => T;
}): T {
  const env = parseEnvironment(args.env);
  const project = projectName(args.stackDir);
  pulumi.runtime.setAllConfig(committedConfig(args.stackDir, project, env));
  return args.read(new ConfigWithDefaults({ org: args.org, image: NOT_PUSHED_YET }, project), env);
}

/**
 * A target's `check-config.ts`: `node stacks/<target>/check-config.ts <env>` checks the stack's committed config
 * for `<env>` (with `PULUMI_ORG`) and prints the model it serves on stdout, or what is wrong on stderr with exit
 * code 78 (EX_CONFIG). scripts/deploy-environment.sh runs it for every target before it deploys anything.
 */
export function checkConfigCli(stackDir: string, read: SettingsReader): void {
  const [env = ''] = process.argv.slice(2);
  const stack = `${projectName(stackDir)}/${env}`;
  try {
    const settings = readCommittedSettings({ stackDir, env, org: process.env.PULUMI_ORG ?? '', read });
    process.stdout.write(`${settings.model}\n`);
  } catch (error) {
    process.stderr.write(
      `${stack}: ${(error as Error).message}\n  Set it in ${relative(process.cwd(), stackDir) || '.'}/` +
        `Pulumi.${env}.yaml and commit it: the pipeline deploys the config that is committed.\n`,
    );
    process.exitCode = 78;
  }
}
