/**
 * Holds a store's writes for a while without blocking the event loop (while a checkpoint on
 * another connection copies the whole WAL, see WalCheckpointer): a write asked while held runs
 * once resumed, in the order asked; otherwise at once, as if there were no gate.
 */
export class WriteGate {
  private waiting: (() => void)[] | undefined;

  get held(): boolean {
    return this.waiting !== undefined;
  }

  hold(): void {
    this.waiting ??= [];
  }

  resume(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    for (const go of waiting ?? []) go();
  }

  /** `write()` now, or a promise of it once resumed. */
  run<T>(write: () => T): T | Promise<T> {
    const waiting = this.waiting;
    if (waiting === undefined) return write();
    return new Promise<void>((resolve) => waiting.push(resolve)).then(write);
  }
}
