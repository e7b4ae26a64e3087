import type { ModelManifest } from '@glyco/contract';

/**
 * What would break clients of the API if `next` replaced `current`: clients send features by name, unknown
 * names are rejected, and required ones must be present. Empty when `next` accepts every request `current` did.
 */
export function apiBreaks(current: ModelManifest, next: ModelManifest): string[] {
  const nextByName = new Map(next.features.map((feature) => [feature.name, feature]));
  const currentNames = new Set(current.features.map((feature) => feature.name));
  const breaks: string[] = [];
  for (const feature of current.features) {
    const replacement = nextByName.get(feature.name);
    if (!replacement) breaks.push(`feature "${feature.name}" removed`);
    else if (feature.nullable && !replacement.nullable)
      breaks.push(`feature "${feature.name}" became required`);
    else if (feature.dtype === 'float' && replacement.dtype === 'integer') {
      breaks.push(`feature "${feature.name}" became integer-only`);
    }
  }
  for (const feature of next.features) {
    if (!currentNames.has(feature.name) && !feature.nullable)
      breaks.push(`new required feature "${feature.name}"`);
  }
  return breaks;
}
