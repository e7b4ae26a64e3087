export * from './feature.ts';
export * from './manifest.ts';
export * from './risk.ts';
export * from './onnx-io.ts';
export * from './model-integrity.ts';
