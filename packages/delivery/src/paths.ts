import { fileURLToPath } from 'node:url';

/** The repository root: this file is `packages/delivery/src/paths.ts`. */
export const workspaceRoot = fileURLToPath(new URL('../../../', import.meta.url));
