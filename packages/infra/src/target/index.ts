export * from './config-check.ts';
export * from './deployment.ts';
export * from './public-domain.ts';
export * from './registered-model.ts';
export * from './web-acl.ts';
