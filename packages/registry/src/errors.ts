/** A failure the user can act on (bad URI, missing version, refused promotion, tampered object): one line. */
export class RegistryError extends Error {
  override name = 'RegistryError';
}

/** A conditional write lost: the object already exists, or changed since it was read. */
export class WriteConflictError extends RegistryError {
  override name = 'WriteConflictError';
}
