/** Bad training input (data, schema, options): the CLI prints the message as one line and exits non-zero. */
export class TrainingDataError extends Error {
  override name = 'TrainingDataError';
}
