import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Lambda (x86_64 only: onnxruntime aborts on arm64 Lambda) and Fargate run the image on linux x64. */
export const IMAGE_PLATFORM = { os: 'linux', cpu: 'x64' } as const;

/**
 * onnxruntime-node ships native binaries for every OS and CPU under `bin/napi-v<N>/<os>/<cpu>` (~290 MB);
 * removes all but the image's platform. Fails if that platform's binaries are missing: the package layout
 * changed and the image would not start.
 */
export async function pruneOnnxruntime(nodeModulesDir: string, keep = IMAGE_PLATFORM): Promise<void> {
  const binDir = join(nodeModulesDir, 'onnxruntime-node', 'bin');
  const napiDirs = (await readdir(binDir)).filter((name) => name.startsWith('napi-v'));
  let kept = 0;
  for (const napi of napiDirs) {
    for (const os of await readdir(join(binDir, napi))) {
      const osDir = join(binDir, napi, os);
      if (os !== keep.os) {
        await rm(osDir, { recursive: true });
        continue;
      }
      for (const cpu of await readdir(osDir)) {
        if (cpu !== keep.cpu) await rm(join(osDir, cpu), { recursive: true });
        else if (await exists(join(osDir, cpu, 'onnxruntime_binding.node'))) kept++;
      }
    }
  }
  if (kept === 0) throw new Error(`onnxruntime-node has no ${keep.os}/${keep.cpu} binding under ${binDir}`);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
