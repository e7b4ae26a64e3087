import { asList } from '../iam/documents.ts';
import type { AccessRequest, EvaluableStatement } from '../iam/evaluation.ts';

/**
 * The requests a statement grants, one per action × resource × alternative value of its conditions, each with a
 * request context that meets the conditions: to ask whether another policy grants the same. A `*` in a resource
 * pattern becomes a sample segment; `*` alone stays (an action without resource-level permission).
 */
export function requestsGrantedBy(statement: EvaluableStatement): AccessRequest[] {
  if (statement.NotAction || statement.NotResource) {
    throw new Error('A statement with NotAction or NotResource grants no finite set of requests.');
  }
  const resources = asList(statement.Resource ?? '*').map((pattern) =>
    pattern === '*' ? '*' : pattern.replaceAll('*', 'sample').replaceAll('?', 's'),
  );
  return asList(statement.Action).flatMap((action) => {
    if (/[*?]/.test(action)) throw new Error(`Sample requests need named actions, not "${action}".`);
    return resources.flatMap((resource) =>
      contextsMeeting(statement.Condition ?? {}).map((context) => ({ action, resource, context })),
    );
  });
}

type Context = Record<string, string>;

function contextsMeeting(condition: NonNullable<EvaluableStatement['Condition']>): Context[] {
  let contexts: Context[] = [{}];
  for (const [operator, keys] of Object.entries(condition)) {
    for (const [key, values] of Object.entries(keys)) {
      const choices = valuesMeeting(operator, asList(values).map(String));
      contexts = contexts.flatMap((context) =>
        choices.map((value) => (value === undefined ? context : { ...context, [key]: value })),
      );
    }
  }
  return contexts;
}

/** Values of a key that meet one operator; `undefined` stands for "the key is absent". */
function valuesMeeting(operator: string, values: string[]): (string | undefined)[] {
  if (operator === 'Null') return [values[0]?.toLowerCase() === 'true' ? undefined : 'sample'];
  if (/^(String|Arn)(Equals|Like)(IgnoreCase)?$|^Bool$/.test(operator)) {
    return values.map((value) => value.replaceAll('*', 'sample').replaceAll('?', 's'));
  }
  throw new Error(`No sample value meets the condition operator ${operator}.`);
}
