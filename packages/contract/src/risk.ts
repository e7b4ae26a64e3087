import type { BinaryModelManifest } from './manifest.ts';

export type RiskLevel = 'low' | 'medium' | 'high';

export function riskLevel(probability: number, thresholds: BinaryModelManifest['riskThresholds']): RiskLevel {
  if (probability >= thresholds.high) return 'high';
  if (probability >= thresholds.medium) return 'medium';
  return 'low';
}
