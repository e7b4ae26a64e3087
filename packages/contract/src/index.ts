export * from './feature.ts';
export * from './manifest.ts';
export * from './model-integrity.ts';
export * from './onnx-io.ts';
export * from './risk.ts';
