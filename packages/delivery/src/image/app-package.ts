import { execFileSync } from 'node:child_process';
import { cp, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { workspaceRoot } from '../paths.ts';
import { externalPackages } from './bundle-externals.ts';
import { dirSize } from './dir-size.ts';
import { pruneOnnxruntime } from './onnxruntime-prune.ts';
import { copyProductionModules, productionDependencies } from './production-modules.ts';

/** The entry points the image runs: the node server (ECS, EKS) and the Lambda handler (`dist/lambda.handler`). */
export const ENTRY_POINTS = ['dist/server.mjs', 'dist/lambda.mjs'] as const;

export interface AppPackage {
  dir: string;
  bytes: number;
  /** `name@version` of every package in node_modules. */
  modules: string[];
  /**
   * Packages the bundles import that neither the server nor a workspace package it runs on depends on: optional
   * imports guarded at run time (pg's `pg-native`), left out.
   */
  skipped: string[];
}

/**
 * Builds the server and assembles the app directory the image copies to /var/task (= /app): the bundles in
 * `dist/`, the production `node_modules` of the packages the bundles leave external (onnxruntime-node pruned
 * to linux x64), and the bundled model registry `models/`, where the server looks for its default model.
 */
export async function packageApp(outDir: string, root = workspaceRoot): Promise<AppPackage> {
  const dir = resolve(outDir);
  const serverDir = join(root, 'packages/server');
  execFileSync('pnpm', ['--filter', '@glyco/server', 'run', 'build'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (!(await stat(join(serverDir, 'dist')).catch(() => undefined))) {
    throw new Error('the server build made no packages/server/dist');
  }

  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await cp(join(serverDir, 'dist'), join(dir, 'dist'), { recursive: true });
  const bundles = (await readdir(join(dir, 'dist'))).filter((file) => file.endsWith('.mjs'));
  for (const entry of ENTRY_POINTS) {
    if (!bundles.includes(entry.slice('dist/'.length))) throw new Error(`the server build made no ${entry}`);
  }

  const nodeModules = join(dir, 'node_modules');
  const externals = await externalPackages(bundles.map((file) => join(dir, 'dist', file)));
  const dependencies = await productionDependencies(serverDir);
  const needed = externals.filter((name) => dependencies.has(name));
  const modules = await copyProductionModules(
    needed.map((name) => ({ name, from: dependencies.get(name)! })),
    nodeModules,
  );
  if (needed.includes('onnxruntime-node')) await pruneOnnxruntime(nodeModules);
  await cp(join(root, 'models'), join(dir, 'models'), { recursive: true });
  const skipped = externals.filter((name) => !needed.includes(name));
  return { dir, bytes: await dirSize(dir), modules, skipped };
}
