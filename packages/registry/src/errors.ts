import { RegistryError } from '@glyco/contract';

// The contract throws it too, when a model URI or a name in it is wrong.
export { RegistryError };

/** A conditional write lost: the object already exists, or changed since it was read. */
export class WriteConflictError extends RegistryError {
  override name = 'WriteConflictError';
}
