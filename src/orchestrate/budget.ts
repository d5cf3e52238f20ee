/**
 * A spending cap that holds for concurrent calls: each call reserves a conservative estimate of
 * its cost before it goes out and settles the real cost when it returns. A call that does not fit
 * next to the reservations in flight waits for them to settle; when it still does not fit with
 * nothing in flight, the budget is exhausted and no new call is issued.
 */
export class Budget {
  private spentUsd = 0;
  private reservedUsd = 0;
  private inFlight = 0;
  private waiters: (() => void)[] = [];
  private exhaustedFlag = false;

  constructor(readonly maxUsd: number | undefined) {}

  get spent(): number {
    return this.spentUsd;
  }

  get exhausted(): boolean {
    return this.exhaustedFlag;
  }

  /** Reserves `estimateUsd`; resolves false (and marks the budget exhausted) when it can never fit. */
  async reserve(estimateUsd: number): Promise<boolean> {
    if (this.maxUsd === undefined) {
      this.inFlight++;
      this.reservedUsd += estimateUsd;
      return true;
    }
    for (;;) {
      if (this.exhaustedFlag) return false;
      if (this.spentUsd + this.reservedUsd + estimateUsd <= this.maxUsd) {
        this.inFlight++;
        this.reservedUsd += estimateUsd;
        return true;
      }
      if (this.inFlight === 0) {
        this.exhaustedFlag = true;
        this.wakeAll();
        return false;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Replaces a reservation by what the call really cost (0 when it failed without usage). */
  settle(estimateUsd: number, actualUsd: number): void {
    this.inFlight--;
    this.reservedUsd = Math.max(0, this.reservedUsd - estimateUsd);
    this.spentUsd += actualUsd;
    if (this.maxUsd !== undefined && this.spentUsd >= this.maxUsd) this.exhaustedFlag = true;
    this.wakeAll();
  }

  private wakeAll(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const wake of w) wake();
  }
}
