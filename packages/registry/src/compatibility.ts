import { type FeatureSpec, isCategorical, type ModelManifest } from '@glyco/contract';

/**
 * What would break clients of the API if `next` replaced `current`. Clients send features by name (unknown names
 * are rejected, required ones must be present, a categorical feature takes only the categories the model knows)
 * and read answers whose shape is the task's: a classifier names its classes by label (and indexes them in
 * `target.classLabels` order), a regression model gives a value in the target's unit. Empty when `next` accepts
 * every request `current` did and answers in the same terms.
 */
export function apiBreaks(current: ModelManifest, next: ModelManifest): string[] {
  return [...answerBreaks(current, next), ...featureBreaks(current, next)];
}

function answerBreaks(current: ModelManifest, next: ModelManifest): string[] {
  if (current.task !== next.task) return [`the task changed from ${current.task} to ${next.task}`];
  if (current.task === 'regression' && next.task === 'regression') {
    const [was, is] = [current.target.unit, next.target.unit];
    return was === is ? [] : [`the value's unit changed from ${unitText(was)} to ${unitText(is)}`];
  }
  if (current.task === 'regression' || next.task === 'regression') return [];
  const [was, is] = [current.target.classLabels, next.target.classLabels];
  return was.length === is.length && was.every((label, i) => label === is[i])
    ? []
    : [`class labels changed from ${JSON.stringify(was)} to ${JSON.stringify(is)}`];
}

function unitText(unit: string | null): string {
  return unit === null ? 'none' : `"${unit}"`;
}

function featureBreaks(current: ModelManifest, next: ModelManifest): string[] {
  const nextByName = new Map(next.features.map((feature) => [feature.name, feature]));
  const currentNames = new Set(current.features.map((feature) => feature.name));
  const breaks: string[] = [];
  for (const feature of current.features) {
    const replacement = nextByName.get(feature.name);
    if (!replacement) breaks.push(`feature "${feature.name}" removed`);
    else {
      const change = featureChange(feature, replacement);
      if (change) breaks.push(`feature "${feature.name}" ${change}`);
    }
  }
  for (const feature of next.features) {
    if (!currentNames.has(feature.name) && !feature.nullable)
      breaks.push(`new required feature "${feature.name}"`);
  }
  return breaks;
}

/** How a feature that stays would refuse values it took before, or undefined. */
function featureChange(was: FeatureSpec, is: FeatureSpec): string | undefined {
  if (was.nullable && !is.nullable) return 'became required';
  if (isCategorical(was) !== isCategorical(is)) {
    return isCategorical(was) ? 'takes numbers, not categories' : 'takes categories, not numbers';
  }
  if (isCategorical(was) && isCategorical(is)) {
    const dropped = was.categories.filter((category) => !is.categories.includes(category));
    return dropped.length > 0
      ? `no longer takes ${dropped.map((category) => JSON.stringify(category)).join(', ')}`
      : undefined;
  }
  return was.dtype === 'float' && is.dtype === 'integer' ? 'became integer-only' : undefined;
}
