/** The store cannot be used: unreachable, refused, or written by a newer llm-fusion. */
export class StoreError extends Error {
  override readonly name: string = 'StoreError';
}

/** `--cache` names something no store understands (an unknown URL scheme): a usage error. */
export class StoreLocationError extends StoreError {
  override readonly name: string = 'StoreLocationError';
}
