import type { z } from 'zod';
import { fieldError, fieldName, Problem } from '../http/problem.ts';

/** A 1000-row request can fail on every row: the response names the first ones, and says how many there were. */
const MAX_REPORTED_ERRORS = 50;

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** "is not a known field", with the likely intended name when there is one (a typo must not pass silently). */
export function unknownFieldMessage(key: string, knownFields: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of knownFields) {
    const distance = editDistance(key.toLowerCase(), known.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [known, distance];
  }
  return best
    ? `is not a known field; did you mean "${best}"?`
    : `is not a known field; expected ${knownFields.join(', ')}`;
}

/** One offending value: where it is in the request body and what is wrong with it. */
export interface InvalidField {
  path: readonly PropertyKey[];
  detail: string;
}

/** The offending fields of zod issues; `knownFields` lists the names allowed where an unknown key was found. */
export function fieldsFromIssues(
  issues: readonly z.core.$ZodIssue[],
  knownFields: (path: readonly PropertyKey[]) => readonly string[],
): InvalidField[] {
  const fields: InvalidField[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownFields(issue.path);
      for (const key of issue.keys)
        fields.push({ path: [...issue.path, key], detail: unknownFieldMessage(key, known) });
    } else {
      fields.push({ path: issue.path, detail: issue.message });
    }
  }
  return fields;
}

/** A 422 whose detail names the first offending field and whose `errors` list names them all (up to a cap). */
export function invalidInput(fields: readonly InvalidField[]): Problem {
  const [first] = fields;
  if (!first) return new Problem('invalid-input', 'the request is invalid');
  const more = fields.length > 1 ? ` (and ${fields.length - 1} more)` : '';
  const errors = fields.slice(0, MAX_REPORTED_ERRORS).map(({ path, detail }) => fieldError(path, detail));
  return new Problem('invalid-input', `${fieldName(first.path)} ${first.detail}${more}`, errors);
}
