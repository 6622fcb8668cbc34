export class TrainError extends Error {
  constructor(
    readonly code: 'dataset_mismatch' | 'invalid_spec' | 'bad_checkpoint' | 'thread_failed',
    message: string,
  ) {
    super(message);
    this.name = 'TrainError';
  }
}
