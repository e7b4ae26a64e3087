import type { z } from 'zod';
import { type FieldError, fieldError, fieldName, Problem } from '../http/problem.ts';
import { editDistance } from './edit-distance.ts';

/** A 1000-row request can fail on every row: the response names the first ones, and says how many there were. */
const MAX_REPORTED_ERRORS = 50;
/** An unknown key longer than this is named by its start, at the object holding it: errors are not an echo. */
const MAX_KEY_SHOWN = 64;

type Path = readonly PropertyKey[];

/** A name further than this from every known one is not a typo of any. */
const MAX_TYPO_EDITS = 2;

/**
 * The known name that `key` most likely misspells (within two edits, case aside), or undefined. The distance
 * is at least the difference in length, so a key much longer than every known name costs nothing however long
 * it is: the work is bounded by the known names, not by what a client sends.
 */
function closestName(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = MAX_TYPO_EDITS + 1;
  let lowerKey: string | undefined;
  for (const name of known) {
    if (Math.abs(key.length - name.length) >= bestDistance) continue;
    lowerKey ??= key.toLowerCase();
    const distance = editDistance(lowerKey, name.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  return best;
}

/** "is not a known field", with the likely intended name when there is one (a typo must not pass silently). */
export function unknownFieldMessage(key: string, knownFields: readonly string[]): string {
  const best = closestName(key, knownFields);
  return best
    ? `is not a known field; did you mean "${best}"?`
    : `is not a known field; expected ${knownFields.join(', ')}`;
}

function samePath(a: Path, b: Path): boolean {
  return a.length === b.length && a.every((segment, i) => segment === b[i]);
}

/**
 * The offending fields of a request: the first ones, each with what is wrong with it, and how many there are in
 * all. Its cost is bounded by the request's size: a field's detail (a name hint, a pointer) is only worked out
 * when it is reported, and callers stop describing fields once it is `full`, only counting the rest.
 */
export class FieldErrors {
  readonly #reported: FieldError[] = [];
  #firstDetail = '';
  #count = 0;

  /** As many fields are described as will be reported: count the others with `countMore`. */
  get full(): boolean {
    return this.#reported.length >= MAX_REPORTED_ERRORS;
  }

  get count(): number {
    return this.#count;
  }

  /** One offending field; `detail` is only called when the field is reported. */
  add(path: Path, detail: string | (() => string)): this {
    this.#count++;
    if (this.full) return this;
    const text = typeof detail === 'string' ? detail : detail();
    if (this.#reported.length === 0) this.#firstDetail = `${fieldName(path)} ${text}`;
    this.#reported.push(fieldError(path, text));
    return this;
  }

  /** Offending fields known only by their number: those past the reported ones. */
  countMore(fields: number): void {
    this.#count += fields;
  }

  /** Keys of the object at `path` that are not among `known`. */
  addUnknownKeys(path: Path, keys: readonly string[], known: readonly string[]): void {
    for (const [i, key] of keys.entries()) {
      if (this.full) {
        this.countMore(keys.length - i);
        return;
      }
      if (key.length > MAX_KEY_SHOWN) {
        const start = JSON.stringify(key.slice(0, MAX_KEY_SHOWN));
        this.add(path, `holds an unknown field ${start.slice(0, -1)}…" (${key.length} characters)`);
      } else {
        this.add([...path, key], () => unknownFieldMessage(key, known));
      }
    }
  }

  /**
   * The fields zod's issues name, under `prefix` (where the parsed value sits in the body); `knownFields` lists
   * the names allowed where an unknown key was found. zod may say two things of one value (not whole, and too
   * large): it counts as one field, with the first.
   */
  addIssues(
    issues: readonly z.core.$ZodIssue[],
    knownFields: (path: Path) => readonly string[],
    prefix: Path = [],
  ): void {
    let previous: Path | undefined;
    for (const issue of issues) {
      if (issue.code === 'unrecognized_keys') {
        this.addUnknownKeys([...prefix, ...issue.path], issue.keys, knownFields(issue.path));
      } else if (!previous || !samePath(previous, issue.path)) {
        this.add([...prefix, ...issue.path], issue.message);
      }
      previous = issue.path;
    }
  }

  /** A 422 whose detail names the first offending field and whose `errors` list names the reported ones. */
  problem(): Problem {
    if (this.#count === 0) return new Problem('invalid-input', 'the request is invalid');
    const more = this.#count > 1 ? ` (and ${this.#count - 1} more)` : '';
    return new Problem('invalid-input', `${this.#firstDetail}${more}`, this.#reported);
  }
}

/** The offending fields of zod issues; `knownFields` lists the names allowed where an unknown key was found. */
export function fieldsFromIssues(
  issues: readonly z.core.$ZodIssue[],
  knownFields: (path: Path) => readonly string[],
): FieldErrors {
  const fields = new FieldErrors();
  fields.addIssues(issues, knownFields);
  return fields;
}

export function invalidInput(fields: FieldErrors): Problem {
  return fields.problem();
}

/** A 422 naming one offending field. */
export function invalidField(path: Path, detail: string): Problem {
  return new FieldErrors().add(path, detail).problem();
}
