import { execFileSync } from 'node:child_process';
import { cp, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { workspaceRoot } from '../paths.ts';
import { externalPackages } from './bundle-externals.ts';
import { bundledWorkspacePackages } from './bundle-sources.ts';
import { dirSize } from './dir-size.ts';
import { pruneOnnxruntime } from './onnxruntime-prune.ts';
import { copyProductionModules, productionDependencies } from './production-modules.ts';

/** What one image runs: the workspace package whose `build` makes its bundles, and what it ships beside them. */
export interface AppSpec {
  /** The workspace package, by name and by directory (relative to the workspace root). */
  name: string;
  dir: string;
  /** The bundles the image runs, relative to the app directory. */
  entryPoints: readonly string[];
  /** Whether the app ships the bundled model registry `models/` (the server's default model). */
  models: boolean;
}

/**
 * The serving image (the Dockerfile's `serve` stage): the node server (ECS, EKS) and the Lambda handler
 * (`dist/lambda.handler`), and the default model. No trainer, no CLI.
 */
export const SERVING_APP: AppSpec = {
  name: '@glyco/server',
  dir: 'packages/server',
  entryPoints: ['dist/server.mjs', 'dist/lambda.mjs'],
  models: true,
};

/** The jobs image (the `jobs` stage): the `glyco` command with the trainer (train, retrain, score, drift, job). */
export const JOBS_APP: AppSpec = {
  name: '@glyco/cli',
  dir: 'packages/cli',
  entryPoints: ['dist/glyco.mjs'],
  models: false,
};

export interface AppPackage {
  dir: string;
  bytes: number;
  /** `name@version` of every package in node_modules. */
  modules: string[];
  /** The workspace packages whose code the bundles hold (`@glyco/server`, …), from their source maps. */
  workspacePackages: string[];
  /**
   * Packages the bundles import that neither the app's package nor a workspace package it runs on depends on:
   * optional imports guarded at run time (pg's `pg-native`), left out.
   */
  skipped: string[];
}

/**
 * Builds the app's package and assembles the app directory an image copies to /app: the bundles in `dist/`, the
 * production `node_modules` of the packages the bundles leave external (onnxruntime-node pruned to linux x64),
 * and for the serving app the bundled model registry `models/`, where the server looks for its default model.
 */
export async function packageApp(
  outDir: string,
  app: AppSpec = SERVING_APP,
  root = workspaceRoot,
): Promise<AppPackage> {
  const dir = resolve(outDir);
  const packageDir = join(root, app.dir);
  execFileSync('pnpm', ['--filter', app.name, 'run', 'build'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const built = join(packageDir, 'dist');
  if (!(await stat(built).catch(() => undefined))) throw new Error(`the ${app.name} build made no ${built}`);

  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await cp(built, join(dir, 'dist'), { recursive: true });
  const bundles = (await readdir(join(dir, 'dist'))).filter((file) => file.endsWith('.mjs'));
  for (const entry of app.entryPoints) {
    if (!bundles.includes(entry.slice('dist/'.length)))
      throw new Error(`the ${app.name} build made no ${entry}`);
  }

  const nodeModules = join(dir, 'node_modules');
  const externals = await externalPackages(bundles.map((file) => join(dir, 'dist', file)));
  const dependencies = await productionDependencies(packageDir);
  const needed = externals.filter((name) => dependencies.has(name));
  const modules = await copyProductionModules(
    needed.map((name) => ({ name, from: dependencies.get(name)! })),
    nodeModules,
  );
  if (needed.includes('onnxruntime-node')) await pruneOnnxruntime(nodeModules);
  if (app.models) await cp(join(root, 'models'), join(dir, 'models'), { recursive: true });
  return {
    dir,
    bytes: await dirSize(dir),
    modules,
    workspacePackages: await bundledWorkspacePackages(built, root),
    skipped: externals.filter((name) => !needed.includes(name)),
  };
}
