/** One offending field: an RFC 6901 JSON pointer into the request body and what is wrong with it. */
export interface FieldError {
  pointer: string;
  detail: string;
}

export type ProblemKind =
  | 'malformed-request'
  | 'unsupported-media-type'
  | 'content-too-large'
  | 'invalid-input'
  | 'unauthorized'
  | 'forbidden'
  | 'too-many-requests'
  | 'not-found'
  | 'method-not-allowed'
  | 'not-ready'
  | 'not-logged'
  | 'client-closed-request'
  | 'internal-error';

const STATUS: Record<ProblemKind, { status: number; title: string }> = {
  'malformed-request': { status: 400, title: 'Malformed request' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'content-too-large': { status: 413, title: 'Content too large' },
  'invalid-input': { status: 422, title: 'Invalid input' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  'too-many-requests': { status: 429, title: 'Too many requests' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'not-ready': { status: 503, title: 'Not ready' },
  'not-logged': { status: 503, title: 'Prediction not logged' },
  // nginx's status for a request whose client went away before the answer: nobody reads it, metrics count it.
  'client-closed-request': { status: 499, title: 'Client closed request' },
  'internal-error': { status: 500, title: 'Internal error' },
};

/** The RFC 9457 problem details body every error response carries. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  request_id: string;
}

/**
 * An expected failure with its HTTP meaning, thrown from anywhere in a request and rendered by the app's error
 * handler as `application/problem+json`.
 */
export class Problem extends Error {
  override name = 'Problem';
  readonly kind: ProblemKind;
  readonly errors: FieldError[] | undefined;
  /** Response headers the status calls for, e.g. `allow` with a 405. */
  readonly headers: Readonly<Record<string, string>> | undefined;
  constructor(kind: ProblemKind, detail: string, errors?: FieldError[], headers?: Record<string, string>) {
    super(detail);
    this.kind = kind;
    this.errors = errors;
    this.headers = headers;
  }

  get status(): number {
    return STATUS[this.kind].status;
  }

  body(requestId: string): ProblemBody {
    const { status, title } = STATUS[this.kind];
    return {
      type: `urn:glyco:problem:${this.kind}`,
      title,
      status,
      detail: this.message,
      ...(this.errors ? { errors: this.errors } : {}),
      request_id: requestId,
    };
  }
}

/**
 * A field error for the body value at `path` (property names and array indexes), as an RFC 6901 pointer in its
 * URI fragment form (section 6): `~` and `/` escaped, then what a fragment cannot hold percent-encoded, so a
 * feature named `admission type` is `#/admission%20type`.
 */
export function fieldError(path: readonly PropertyKey[], detail: string): FieldError {
  const segments = path.map((segment) =>
    encodeURIComponent(String(segment).replaceAll('~', '~0').replaceAll('/', '~1')),
  );
  return { pointer: segments.length === 0 ? '#' : `#/${segments.join('/')}`, detail };
}

/** A readable name for the field at `path`, e.g. `instances[2].glucose`. */
export function fieldName(path: readonly PropertyKey[]): string {
  let name = '';
  for (const segment of path) {
    name +=
      typeof segment === 'number' ? `[${segment}]` : name === '' ? String(segment) : `.${String(segment)}`;
  }
  return name || 'the body';
}
