/** The store cannot be used: unreachable, refused, or written by a newer llm-fusion. */
export class StoreError extends Error {
  override readonly name: string = 'StoreError';
}

/** `--cache` names something no store understands (an unknown URL scheme): a usage error. */
export class StoreLocationError extends StoreError {
  override readonly name: string = 'StoreLocationError';
}

/**
 * A batch id recorded again for other calls or another model than the store holds it for: its
 * answers would be collected for the wrong calls, so the store refuses and keeps what it had (an
 * intent resolved to it stays on record, its calls pending). The same batch recorded again with
 * the same calls is no conflict: nothing changes.
 */
export class BatchConflictError extends StoreError {
  override readonly name = 'BatchConflictError';
  constructor(
    readonly batchId: string,
    message: string,
  ) {
    super(message);
  }
}
