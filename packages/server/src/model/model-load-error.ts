/** The model cannot be served: bad URI, missing file, hash mismatch, corrupt graph. One line, says which. */
export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}
