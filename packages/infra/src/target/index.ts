export * from './deployment.ts';
export * from './public-domain.ts';
