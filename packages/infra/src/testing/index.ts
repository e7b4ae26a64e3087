export * from './boundary-check.ts';
export * from './iam-requests.ts';
export { registryHolding } from './mock-state.ts';
export * from './plain-node.ts';
export * from './platform-fixture.ts';
export * from './preview-access.ts';
export * from './readme.ts';
export * from './run-stack.ts';
export * from './target.ts';
