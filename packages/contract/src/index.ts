export * from './feature.ts';
export * from './manifest.ts';
export * from './metrics.ts';
export * from './model-integrity.ts';
export * from './onnx-io.ts';
export * from './primary-metric.ts';
export * from './risk.ts';
