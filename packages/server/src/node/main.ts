/**
 * Node server entry point (`node dist/server.mjs`, or `node src/node/main.ts` in the source tree): ECS, EKS
 * and local. Configured by environment variables only; see config.ts.
 */
import { enableCompileCache } from 'node:module';

// Node keeps compiled (and type-stripped) modules in a disk cache under the temp dir: later starts skip most of
// the module loading. Where the temp dir is not writable, this does nothing.
enableCompileCache();
await import('./start.ts');
